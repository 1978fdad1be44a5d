/**
 * `Dirent`: one directory entry with its type, as readdir({ withFileTypes })
 * and Dir.read() return it. `parentPath` (and its older alias `path`) is the
 * directory the entry was read from.
 */

import type { Buffer } from 'node:buffer';
import {
  UV_DIRENT_BLOCK,
  UV_DIRENT_CHAR,
  UV_DIRENT_DIR,
  UV_DIRENT_FIFO,
  UV_DIRENT_FILE,
  UV_DIRENT_LINK,
  UV_DIRENT_SOCKET,
} from '../constants.js';

const kType = Symbol('type');

export class Dirent<Name extends string | Buffer = string> {
  name: Name;
  parentPath: string;
  /** Node's older name for `parentPath`. */
  path: string;
  [kType]: number;

  constructor(name: Name, type: number, path: string) {
    this.name = name;
    this.parentPath = path;
    this.path = path;
    this[kType] = type;
  }

  isDirectory(): boolean {
    return this[kType] === UV_DIRENT_DIR;
  }
  isFile(): boolean {
    return this[kType] === UV_DIRENT_FILE;
  }
  isBlockDevice(): boolean {
    return this[kType] === UV_DIRENT_BLOCK;
  }
  isCharacterDevice(): boolean {
    return this[kType] === UV_DIRENT_CHAR;
  }
  isSymbolicLink(): boolean {
    return this[kType] === UV_DIRENT_LINK;
  }
  isFIFO(): boolean {
    return this[kType] === UV_DIRENT_FIFO;
  }
  isSocket(): boolean {
    return this[kType] === UV_DIRENT_SOCKET;
  }
}
