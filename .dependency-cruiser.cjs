/**
 * The layering of src/ (DESIGN.md, "Shape"), held by a tool rather than by memory. Arrows
 * point down only:
 *
 *   cli/ (and web/)  →  node/  →  campaign/ · fleet/ · bench/  →  app/  →  device/  →  image/  →  core/
 *
 * errors.ts, util/ and the generated ctrl-layout.ts sit beside every layer. Nothing outside
 * cli/ and node/ imports a Node built-in (the package entry runs in browsers), and there are
 * no import cycles. Checked by test/layering.test.ts (so by `npm test` and CI), or by hand:
 * `npx depcruise src`.
 */
const layers = ['core', 'image', 'device', 'app', 'fleet|campaign|bench', 'node', 'cli'];

const upward = layers.slice(0, -1).map((layer, i) => ({
  name: `${layer.replace('|', '-')}-imports-upward`,
  comment: `src/${layer}/ may only import from the layers below it (${layers.slice(0, i).join(', ') || 'none'}).`,
  severity: 'error',
  from: { path: `^src/(${layer})/` },
  to: { path: `^src/(${layers.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'node-builtin-outside-cli-and-node',
      comment: 'Only src/cli/ and src/node/ may import Node built-ins: everything else is part of the browser-safe package entry.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|node)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-leaves-stay-leaves',
      comment: 'errors.ts, util/ and ctrl-layout.ts import nothing of the layers (every layer may import them).',
      severity: 'error',
      from: { path: '^src/(errors\\.ts|util/|ctrl-layout\\.ts)' },
      to: { path: `^src/(${layers.join('|')})/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6', 'cjs'],
    // Type-only imports vanish when compiled; the layering is about what runs.
    tsPreCompilationDeps: false,
  },
};
