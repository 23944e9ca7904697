import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Which compiled modules each file of the bundled build holds (written by scripts/bundle.mjs), so that
 * loading `dist/bundle/chunk-X.js` counts as loading the `dist/src/...` modules in it.
 */
const bundleInputs = JSON.parse(readFileSync(join(root, 'dist/bundle-inputs.json'), 'utf8')) as Record<
  string,
  string[]
>;

/**
 * The files (ES modules and CommonJS alike) a fresh node process loads to run `args` (a script and its
 * arguments, or `-e` code) from the project's root: ES modules through a load hook, CommonJS from
 * require's cache at exit. Paths are relative to the root (`node_modules/openai/index.mjs`, `dist/src/...`);
 * a file of the bundled build is listed with the compiled modules it holds; node's own modules imported as ES
 * modules are listed by name (`node:https`).
 */
export function modulesLoadedBy(args: string[]): {
  files: string[];
  stdout: string;
  stderr: string;
  status: number | null;
} {
  const folder = mkdtempSync(join(tmpdir(), 'loaded-modules-'));
  const log = join(folder, 'loaded.txt');
  const hooks = join(folder, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}
`,
  );
  const register = join(folder, 'register.mjs');
  writeFileSync(
    register,
    `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).join('\\n') + '\\n'));
`,
  );
  writeFileSync(log, '');
  const child = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] },
  });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((entry) => (entry.startsWith('file:') ? fileURLToPath(entry) : entry))
    .filter((path) => path.startsWith(root) || path.startsWith('node:'))
    .map((path) => (path.startsWith(root) ? path.slice(root.length) : path))
    .flatMap((file) => [file, ...(bundleInputs[file] ?? [])]);
  rmSync(folder, { recursive: true, force: true });
  return { files: [...new Set(files)], stdout: child.stdout, stderr: child.stderr, status: child.status };
}

/** Whether any loaded file is of package `name` (`openai`, `@pydantic/genai-prices`). */
export const loadsPackage = (files: readonly string[], name: string) =>
  files.some((file) => file.startsWith(`node_modules/${name}/`));
