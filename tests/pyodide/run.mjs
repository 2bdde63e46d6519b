// Run the project's tests with pytest inside Pyodide (CPython on WebAssembly), offline.
//
//   node --experimental-wasm-stack-switching tests/pyodide/run.mjs \
//       --python 3.14 --site DIR [--repo DIR] [-- PYTEST_ARGS...]
//
// --python: which Pyodide from node_modules: 3.14 is pyodide-314 (CPython 3.14.2), 3.15 is
//   pyodide-315 (CPython 3.15.0rc1); package.json pins both.
// --site: a host folder of unpacked pure-Python wheels, the project's included (prepare.py
//   makes it); it is mounted at /primer/site-packages and put first on sys.path.
// --repo: the checkout (default: two folders up), mounted at /primer/repo, the tests' working
//   directory: pytest finds its configuration (setup.cfg) and rootdir as on the host, and the
//   tests that read README.md, docs/ or .ci/ find them. Nothing is written there (no bytecode,
//   no pytest cache; the leak guard refuses writes outside the temporary directory), and the
//   package is imported from --site, never from the checkout (tox sets
//   ASYNCIO_PRIMER_EXPECT_INSTALLED, which tests/conftest.py checks).
// Exits with pytest's exit code. Nothing is fetched: Pyodide loads from node_modules, and any
// fetch() is refused (exit code 3), so a missing file fails loudly instead of going online.
//
// Python is entered through callPromising, with stack switching (the node flag), so that code
// that ends up on Pyodide's own loop (its asyncio.run, its time.sleep) can block. The tests need
// neither: each runs inside outside_the_web_loop() (tests/leak_guard.py), on a selector loop that
// waits by sleeping, with CPython's blocking time.sleep (put back below). Without stack switching
// (a Node.js without it) run.mjs says so and calls pytest directly.

import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const options = { python: null, site: null, repo: path.resolve(here, "..", ".."), pytest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      options.pytest = argv.slice(i + 1);
      break;
    } else if (["--python", "--site", "--repo"].includes(arg) && i + 1 < argv.length) {
      options[arg.slice(2)] = argv[++i];
    } else {
      fail(`unknown or incomplete argument ${JSON.stringify(arg)}`);
    }
  }
  if (!["3.14", "3.15"].includes(options.python)) {
    fail(`--python must be 3.14 or 3.15, not ${JSON.stringify(options.python)}`);
  }
  if (!options.site) fail("--site DIR is required (the folder prepare.py filled)");
  return options;
}

function fail(message, code = 2) {
  process.stderr.write(`tests/pyodide/run.mjs: ${message}\n`);
  process.exit(code);
}

const options = parseArgs(process.argv.slice(2));
const indexDir = path.join(here, "node_modules", `pyodide-${options.python.replace(".", "")}`);
if (!fs.existsSync(path.join(indexDir, "pyodide.mjs"))) {
  fail(`${indexDir} is missing: run \`npm ci\` in ${here} (tox does it for you)`);
}
for (const folder of [options.site, path.join(options.repo, "tests")]) {
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) fail(`no folder ${folder}`);
}

// Nothing may come from the network: Pyodide would fetch() packages or a lock file from its CDN.
globalThis.fetch = async (resource) => {
  process.stderr.write(`tests/pyodide/run.mjs: refused to fetch ${resource} (tests run offline)\n`);
  process.exit(3);
};

// What the host's tox set for the tests, passed on to Python inside Pyodide.
const env = {
  HOME: "/home/pyodide",
  PYTHONDONTWRITEBYTECODE: "1",
  // Pyodide's own start-up uses the policy system that 3.14 deprecates; dev mode would print it
  PYTHONWARNINGS: "ignore::DeprecationWarning:pyodide.webloop",
};
for (const [name, value] of Object.entries(process.env)) {
  if (/^(ASYNCIO_PRIMER_|PYTHONASYNCIODEBUG$|PYTHONDEVMODE$|PYTHONHASHSEED$|PYTHONTRACEMALLOC$|HYPOTHESIS_)/.test(name)) {
    env[name] = value;
  }
}

const started = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: indexDir + path.sep,
  packageCacheDir: indexDir, // never used: no package is loaded
  env,
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
const raw = (fd) => ({ write: (bytes) => fs.writeSync(fd, bytes) });
pyodide.setStdout(raw(1));
pyodide.setStderr(raw(2));

const root = "/primer";
pyodide.FS.mkdirTree(`${root}/site-packages`);
pyodide.mountNodeFS(`${root}/site-packages`, path.resolve(options.site));
pyodide.FS.mkdirTree(`${root}/repo`);
pyodide.mountNodeFS(`${root}/repo`, path.resolve(options.repo));
process.stderr.write(
  `Pyodide ${pyodide.version} loaded from ${indexDir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);

const main = pyodide.runPython(`
import os, sys

sys.dont_write_bytecode = True  # the tests folder is the host's: leave no 3.14 bytecode there

# CPython's time.sleep() blocks, and the lessons about blocking calls show what that does to the
# event loop. Pyodide replaces it with one that suspends (stack switching) and lets its loop run
# meanwhile: put CPython's back, so that the tests see CPython's behaviour.
import time
from pyodide import webloop

time.sleep = getattr(webloop, "_orig_sleep", time.sleep)
assert f"{sys.version_info[0]}.{sys.version_info[1]}" == "${options.python}", sys.version
sys.path.insert(0, "${root}/site-packages")
os.chdir("${root}/repo")

def main(args):
    import pytest

    return int(pytest.main(["-p", "no:cacheprovider", *args]))

main
`);
let code;
try {
  code = await main.callPromising(pyodide.toPy(options.pytest));
} catch (error) {
  if (/stack switching not supported/.test(String(error))) {
    // Node without JSPI (older than 20, or without the flag): the tests run every loop on a
    // selector loop of their own (asyncio_primer._support.runner.outside_the_web_loop), which
    // needs no stack switching; only Pyodide's own loop would.
    process.stderr.write(
      "tests/pyodide/run.mjs: no WebAssembly stack switching in this Node.js; running pytest" +
        " without it (asyncio.run on Pyodide's own loop would fail)\n",
    );
    code = main(pyodide.toPy(options.pytest));
  } else {
    process.stderr.write(`tests/pyodide/run.mjs: Python failed outside pytest:\n${error}\n`);
    code = 1;
  }
}
process.stderr.write(
  `tests/pyodide/run.mjs: pytest exited with ${code} after ${((performance.now() - started) / 1000).toFixed(1)} s in total\n`,
);
process.exit(code);
