// Renders Vega-Lite specs to SVG with the vega and vega-lite packages (no browser, no canvas):
//   node tools/plots/render.mjs FIGURE.vl.json [...]   writes FIGURE.svg beside each spec.
// The experiments write self-contained specs (data inline), so a figure can be re-rendered from its spec alone.
import { readFile, writeFile } from 'node:fs/promises';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

let failed = 0;
for (const path of process.argv.slice(2)) {
  try {
    const spec = JSON.parse(await readFile(path, 'utf8'));
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    await writeFile(path.replace(/\.vl\.json$/, '') + '.svg', await view.toSVG());
    view.finalize();
  } catch (e) {
    console.error(`${path}: ${e.message}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
