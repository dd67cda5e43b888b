// Vigil's local ESLint rules:
//   vigil/folder-map  an import crosses rooms only in a direction lint/folder-map.mjs allows, and every
//                     linted file lies in a room of that table;
//   vigil/no-cycle    no file reaches itself through its imports (type-only imports count too: a cycle
//                     of types is still two rooms that cannot be understood one without the other).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { allowedImports, roomOf } from './folder-map.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Repository-relative path with forward slashes. */
function rel(/** @type {string} */ abs) {
  return relative(repoRoot, abs).split(sep).join('/');
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/**
 * The file a relative import specifier names, as TypeScript resolves it here (NodeNext's `.js` for
 * `.ts`, the renderer's extensionless imports), or null when it is not a source file of the repository.
 * @param {string} fromFile absolute path of the importing file
 * @param {string} spec the import specifier
 * @returns {string | null}
 */
export function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(fromFile), spec);
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const ext = /\.(mjs|cjs)$/.exec(base)?.[1];
  const candidates = [
    base,
    ...(ext === 'mjs' ? [`${stem}.mts`] : ext === 'cjs' ? [`${stem}.cts`] : [`${stem}.ts`, `${stem}.tsx`]),
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ];
  for (const c of candidates) {
    if (SOURCE.test(c) && existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** @type {Map<string, { mtime: number; imports: string[] }>} */
const importCache = new Map();

/** The repository source files a file imports (static, dynamic, re-exports, type-only), resolved. */
function importsOf(/** @type {string} */ file) {
  let mtime;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = importCache.get(file);
  if (hit && hit.mtime === mtime) return hit.imports;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const imports = [];
  for (const f of info.importedFiles) {
    const target = resolveImport(file, f.fileName);
    if (target && !target.includes(`${sep}node_modules${sep}`)) imports.push(target);
  }
  importCache.set(file, { mtime, imports });
  return imports;
}

/** The shortest import path from `start` back to `goal` (both included), or null. */
function pathBack(/** @type {string} */ start, /** @type {string} */ goal) {
  /** @type {Map<string, string | null>} */
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const f = /** @type {string} */ (queue.shift());
    if (f === goal) {
      const path = [];
      for (let at = /** @type {string | null} */ (f); at !== null; at = prev.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const next of importsOf(f)) {
      if (!prev.has(next)) {
        prev.set(next, f);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * The import-like nodes of a file with a literal specifier.
 * @param {(node: any, spec: string) => void} check
 */
function onImports(check) {
  /** @param {any} node */
  const withSource = (node) => {
    if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
  };
  return {
    ImportDeclaration: withSource,
    ExportNamedDeclaration: withSource,
    ExportAllDeclaration: withSource,
    ImportExpression: withSource,
    /** @param {any} node */
    TSImportType(node) {
      const lit = node.argument?.literal ?? node.argument;
      if (lit && typeof lit.value === 'string') check(node, lit.value);
    },
  };
}

/** @type {import('eslint').Rule.RuleModule} */
const folderMap = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the folder map (lint/folder-map.mjs, documented in ARCHITECTURE.md)' },
    schema: [],
    messages: {
      unmapped: "'{{file}}' lies in no room of the folder map: add its folder to lint/folder-map.mjs (and run `npm run docs:folder-map`).",
      forbidden:
        "'{{from}}' may not import '{{target}}' (room {{to}}): room {{fromRoom}} imports only from {{allowed}} (folder map: lint/folder-map.mjs, ARCHITECTURE.md).",
    },
  },
  create(context) {
    const file = context.filename;
    const fromRel = rel(file);
    const from = roomOf(fromRel);
    if (!from) {
      return {
        Program(node) {
          context.report({ node, messageId: 'unmapped', data: { file: fromRel } });
        },
      };
    }
    const allowed = allowedImports(from);
    if (allowed.includes('*')) return {};
    return onImports((node, spec) => {
      if (!spec.startsWith('.')) return;
      const target = resolveImport(file, spec) ?? resolve(dirname(file), spec);
      const targetRel = rel(target);
      const to = roomOf(targetRel);
      if (to === from) return;
      if (to && allowed.includes(to.path)) return;
      context.report({
        node,
        messageId: 'forbidden',
        data: {
          from: fromRel,
          target: targetRel,
          to: to ? to.path : '(none)',
          fromRoom: from.path,
          allowed: allowed.length ? allowed.join(', ') : 'nothing outside itself',
        },
      });
    });
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'no import cycles between files' },
    schema: [],
    messages: { cycle: 'import cycle: {{path}}' },
  },
  create(context) {
    const file = context.filename;
    const seen = new Set();
    return onImports((node, spec) => {
      const target = resolveImport(file, spec);
      if (!target || seen.has(target)) return;
      seen.add(target);
      const back = pathBack(target, file);
      if (back) context.report({ node, messageId: 'cycle', data: { path: [file, ...back].map(rel).join(' → ') } });
    });
  },
};

export default {
  meta: { name: 'vigil' },
  rules: { 'folder-map': folderMap, 'no-cycle': noCycle },
};
