// Media files (snapshots, segments) live under the data directory; the database keeps paths
// relative to it so the directory can move.

import { isAbsolute, join, normalize, relative, sep } from 'node:path';

export function relativeMediaPath(dataDir: string, path: string): string {
  const rel = isAbsolute(path) ? relative(dataDir, path) : normalize(path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`media file ${path} is outside the data directory ${dataDir} — write snapshots and segments inside it`);
  }
  return rel.split(sep).join('/');
}

export function absoluteMediaPath(dataDir: string, rel: string): string {
  return join(dataDir, ...rel.split('/'));
}
