#!/usr/bin/env node
// The `avfs` command. The program is compiled from bench/src (tsc -b, run by
// `npm ci`); this shim stays in git with its executable bit.
import '../dist/cli.js';
