// The import-boundary rule: each source file belongs to one layer of the table in eslint.config.js, and
// may import only the layers, npm packages and Node built-ins its row names. A row can also name
// packages its files must never load, even through other files (`mustNotReach`): the rule follows the
// value imports (type-only imports vanish at run time) through the project's own files to find them.
// Written here rather than with no-restricted-imports because relative paths ('../../engine/x.js')
// only say which layer they reach once they are resolved against the importing file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import tseslint from 'typescript-eslint';

const BUILTINS = new Set(builtinModules);

/** Repository-relative path with forward slashes. */
function rel(root, file) {
  return relative(root, file).split(sep).join('/');
}

/** The first row whose `files` entry is this path (an exact file) or a folder above it (ends in '/'). */
function layerOf(layers, relPath) {
  return layers.find((l) => l.files.some((f) => (f.endsWith('/') ? relPath.startsWith(f) : relPath === f))) ?? null;
}

/** 'react-dom/client' -> 'react-dom', '@scope/pkg/x' -> '@scope/pkg'. */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(spec) {
  return spec.startsWith('node:') || BUILTINS.has(packageName(spec));
}

/** The file a relative specifier names: TypeScript's '.js' -> '.ts' mapping, extensionless, or index. */
function resolveFile(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
}

/** True when the import or re-export is erased by TypeScript (`import type`, or only `type` specifiers). */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specs = node.specifiers ?? [];
  return specs.length > 0 && specs.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** Every import-like node's source literal in a program, with whether it survives compilation. */
function importsOf(program) {
  const found = [];
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (
      (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') &&
      node.source
    ) {
      found.push({ spec: node.source.value, value: !typeOnly(node) });
    } else if (node.type === 'ImportExpression' && node.source.type === 'Literal' && typeof node.source.value === 'string') {
      found.push({ spec: node.source.value, value: true });
    }
    for (const key of Object.keys(node)) if (key !== 'parent' && key !== 'loc' && key !== 'range') visit(node[key]);
  };
  visit(program.body);
  return found;
}

// Value imports of other files, parsed once per lint run and per file version.
const cache = new Map();
function valueImports(file) {
  const mtime = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit !== undefined && hit.mtime === mtime) return hit.specs;
  const { ast } = tseslint.parser.parseForESLint(readFileSync(file, 'utf8'), {
    ecmaFeatures: { jsx: file.endsWith('.tsx') },
    sourceType: 'module',
  });
  const specs = importsOf(ast)
    .filter((i) => i.value)
    .map((i) => i.spec);
  cache.set(file, { mtime, specs });
  return specs;
}

/** The chain of files from `start` to an import of one of `packages`, or null (breadth first: the shortest). */
function findReach(root, start, packages) {
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (!existsSync(file) || !/\.tsx?$/.test(file)) continue;
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) {
        const next = resolveFile(file, spec);
        if (!prev.has(next)) {
          prev.set(next, file);
          queue.push(next);
        }
      } else if (packages.includes(packageName(spec))) {
        const chain = [spec];
        for (let f = file; f !== null; f = prev.get(f)) chain.unshift(rel(root, f));
        return chain;
      }
    }
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only the layers, packages and Node built-ins its row of the layer table allows.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                files: { type: 'array', items: { type: 'string' } },
                imports: { type: 'array', items: { type: 'string' } },
                packages: { type: 'array', items: { type: 'string' } },
                node: { type: 'boolean' },
                mustNotReach: { type: 'array', items: { type: 'string' } },
                why: { type: 'string' },
              },
              required: ['name', 'files'],
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      layer: '{{layer}} may not import {{target}} (layer {{targetLayer}}): {{layer}} imports only {{allowed}}.{{why}}',
      outside: '{{layer}} may not import {{target}}: it is outside every layer of the table.{{why}}',
      builtin: "{{layer}} may not import the Node built-in '{{spec}}': it runs where Node is not available.{{why}}",
      package: "{{layer}} may not import the package '{{pkg}}': its row allows {{allowed}}.{{why}}",
      reach: '{{layer}} must not load {{pkg}}, but this import does: {{chain}}.{{why}}',
    },
  },
  create(context) {
    const { root, layers } = context.options[0];
    const file = context.filename;
    if (!isAbsolute(file)) return {};
    const layer = layerOf(layers, rel(root, file));
    if (layer === null) return {};
    const why = layer.why ? ` (${layer.why})` : '';
    const allowedLayers = layer.imports ?? [];
    const allowedPackages = layer.packages ?? [];

    function check(node, source, value) {
      const spec = source.value;
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.') || isAbsolute(spec)) {
        const targetFile = resolveFile(file, spec);
        const target = layerOf(layers, rel(root, targetFile));
        if (target === null) {
          context.report({ node: source, messageId: 'outside', data: { layer: layer.name, target: spec, why } });
          return;
        }
        if (target !== layer && !allowedLayers.includes(target.name)) {
          const allowed = allowedLayers.length > 0 ? allowedLayers.join(', ') : 'its own files';
          context.report({
            node: source,
            messageId: 'layer',
            data: { layer: layer.name, target: spec, targetLayer: target.name, allowed, why },
          });
          return;
        }
        if (value && layer.mustNotReach) {
          const chain = findReach(root, targetFile, layer.mustNotReach);
          if (chain !== null) {
            context.report({
              node: source,
              messageId: 'reach',
              data: { layer: layer.name, pkg: chain.at(-1), chain: chain.join(' -> '), why },
            });
          }
        }
        return;
      }
      if (isBuiltin(spec)) {
        if (layer.node !== true) context.report({ node: source, messageId: 'builtin', data: { layer: layer.name, spec, why } });
        return;
      }
      const pkg = packageName(spec);
      if (!allowedPackages.includes(pkg)) {
        const allowed = allowedPackages.length > 0 ? allowedPackages.join(', ') : 'no packages';
        context.report({ node: source, messageId: 'package', data: { layer: layer.name, pkg, allowed, why } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source, !typeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, !typeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source, !typeOnly(node)),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source, true),
      // require('x') in the few CommonJS-style spots (createRequire); only plain string arguments.
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal')
          check(node, node.arguments[0], true);
      },
    };
  },
};

export default { meta: { name: 'agx-layers' }, rules: { boundaries } };
