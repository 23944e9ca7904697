/**
 * The layering rule CI checks (npm run deps): no folder imports a folder that imports it back, the
 * library never imports the CLI, and the spec (interfaces) imports nothing of ours but itself.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Folders form layers: a folder that imports another may not be imported back by it, even through others.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'library-never-imports-cli',
      severity: 'error',
      comment: 'The CLI is the top layer; the library must work without it.',
      from: { path: '^(src|gates)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'spec-imports-only-spec',
      severity: 'error',
      comment: 'src/spec holds the interfaces every layer builds on.',
      from: { path: '^src/spec/' },
      to: { path: '^(src|gates)/', pathNot: '^src/spec/' },
    },
    {
      name: 'no-bench-or-test-in-library',
      severity: 'error',
      from: { path: '^(src|gates)/' },
      to: { path: '^(bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
