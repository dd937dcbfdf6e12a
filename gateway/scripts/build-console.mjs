// Builds the console page (gateway/console/) into dist/console/: one JS and one CSS file
// bundled with esbuild (uPlot included), and the HTML. The gateway serves them at / and
// /console/*, so the page needs nothing from the internet.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const out = new URL("../dist/console/", import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: new URL("../console/main.ts", import.meta.url).pathname },
  outdir: out.pathname,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
});
copyFileSync(new URL("../console/index.html", import.meta.url), new URL("index.html", out));
