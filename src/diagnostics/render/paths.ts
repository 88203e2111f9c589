// File paths as CI systems want them: relative to the repository, with forward slashes.

import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `file` relative to `root` with `/` separators, when `root` is given and holds the file;
 * otherwise the path as given, with `/` separators and without a leading `./`.
 */
export function repoPath(file: string, root?: string): string {
  let path = file;
  if (root !== undefined && isAbsolute(path)) {
    const inside = relative(root, path);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) path = inside;
  }
  path = path.replace(/\\/g, '/');
  while (path.startsWith('./')) path = path.slice(2);
  return path;
}

/** A URI reference for SARIF's `artifactLocation.uri`: relative and percent-encoded, or a file: URL. */
export function artifactUri(file: string, root?: string): string {
  const path = repoPath(file, root);
  if (isAbsolute(path) || /^[A-Za-z]:\//.test(path)) return pathToFileURL(path).href;
  return path.split('/').map(encodeURIComponent).join('/');
}
