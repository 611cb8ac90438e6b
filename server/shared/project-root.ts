import fs from 'node:fs';
import path from 'node:path';

/** The folder that holds package.json, whether we run from source (server/) or from the build (dist/server/). */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'questionnaires'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Veldwerk: cannot find the project folder above ${start}`);
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(__dirname);
