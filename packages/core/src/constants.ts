/**
 * Numeric constants. Values are Linux's, the same numbers `fs.constants`
 * has on Linux, so flags built for `node:fs` mean the same here.
 */

// open(2) flags
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_SYNC = 0o4010000;

// file types and permission bits
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
/** Whiteout: a name that hides the same name in a lower layer (union mounts). */
export const S_IFWHT = 0o160000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IRWXU = 0o700;
export const S_IRUSR = 0o400;
export const S_IWUSR = 0o200;
export const S_IXUSR = 0o100;
export const S_IRWXG = 0o70;
export const S_IRGRP = 0o40;
export const S_IWGRP = 0o20;
export const S_IXGRP = 0o10;
export const S_IRWXO = 0o7;
export const S_IROTH = 0o4;
export const S_IWOTH = 0o2;
export const S_IXOTH = 0o1;
export const ALLPERMS = 0o7777;

// access(2)
export const F_OK = 0;
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

// copyFile
export const COPYFILE_EXCL = 1;
export const COPYFILE_FICLONE = 2;
export const COPYFILE_FICLONE_FORCE = 4;

// Dirent types as libuv reports them
export const UV_DIRENT_UNKNOWN = 0;
export const UV_DIRENT_FILE = 1;
export const UV_DIRENT_DIR = 2;
export const UV_DIRENT_LINK = 3;
export const UV_DIRENT_FIFO = 4;
export const UV_DIRENT_SOCKET = 5;
export const UV_DIRENT_CHAR = 6;
export const UV_DIRENT_BLOCK = 7;

// lseek(2)
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

// fcntl(2) record locks and flock(2)
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// poll(2) events (Linux values), for VOP_POLL and FileHandle.poll
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

// utimensat(2) special nanosecond values
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

// chflags(2): user and system file flags (BSD values)
export const UF_NODUMP = 0x00000001;
export const UF_IMMUTABLE = 0x00000002;
export const UF_APPEND = 0x00000004;
export const UF_OPAQUE = 0x00000008;
export const SF_ARCHIVED = 0x00010000;
export const SF_IMMUTABLE = 0x00020000;
export const SF_APPEND = 0x00040000;
export const UF_SETTABLE = 0x0000ffff;
export const SF_SETTABLE = 0xffff0000;

// pathconf(3) names (Linux numbering)
export const _PC_LINK_MAX = 0;
export const _PC_MAX_CANON = 1;
export const _PC_MAX_INPUT = 2;
export const _PC_NAME_MAX = 3;
export const _PC_PATH_MAX = 4;
export const _PC_PIPE_BUF = 5;
export const _PC_CHOWN_RESTRICTED = 6;
export const _PC_NO_TRUNC = 7;
export const _PC_VDISABLE = 8;
export const _PC_FILESIZEBITS = 13;
export const _PC_SYMLINK_MAX = 19;

// limits
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
export const SYMLOOP_MAX = 40;
export const LINK_MAX = 65000;
export const PIPE_BUF = 4096;
/** Largest file size: offsets are safe integers, so 2^53 - 1 bytes. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
