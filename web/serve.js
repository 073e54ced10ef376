#!/usr/bin/env node
/**
 * A static file server for the Playground page (node:http, no dependency): serves the repository
 * root, so that web/index.html can load the built library from dist/ through its import map.
 *
 * With cross-origin isolation (the default) every response carries
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`,
 * which is what makes browsers offer SharedArrayBuffer (and so a shared WebAssembly.Memory).
 *
 *   node web/serve.js [--port 8080] [--host 127.0.0.1] [--no-isolation]
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const MIME_TYPES = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
});

export const ISOLATION_HEADERS = Object.freeze({
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
});

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * A server (not yet listening) for the files under `root`. `/` redirects to the page; a folder
 * serves its index.html; paths that leave `root` are refused.
 */
export function createStaticServer({ root = REPO_ROOT, isolated = true } = {}) {
  const base = resolve(root);
  return createServer(async (req, res) => {
    const extra = isolated ? ISOLATION_HEADERS : {};
    const fail = (status, message) => {
      res.writeHead(status, { ...extra, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      res.end(`${status} ${message}\n`);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return fail(405, `method ${req.method} not allowed`);
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return fail(400, `bad path ${req.url}`);
    }
    if (pathname === "/") {
      res.writeHead(302, { ...extra, Location: "/web/" });
      return res.end();
    }
    let file = resolve(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) return fail(403, `${pathname} is outside the served folder`);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        if (!pathname.endsWith("/")) {
          res.writeHead(301, { ...extra, Location: `${pathname}/` });
          return res.end();
        }
        file = join(file, "index.html");
        info = await stat(file);
      }
      res.writeHead(200, {
        ...extra,
        "Content-Type": MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
        "Content-Length": info.size,
        // Rebuilds of dist/ show up on reload.
        "Cache-Control": "no-store",
      });
      if (req.method === "HEAD") return res.end();
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
    } catch {
      fail(404, `${pathname} not found`);
    }
  });
}

/** Starts a server and resolves to its address once it listens (port 0 picks a free port). */
export function serve({ root = REPO_ROOT, isolated = true, port = 8080, host = "127.0.0.1" } = {}) {
  const server = createStaticServer({ root, isolated });
  return new Promise((resolveListening, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolveListening({ server, url: `http://${shownHost}:${actual}/web/` });
    });
  });
}

function parseArgs(argv) {
  const options = { isolated: true, port: 8080, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-isolation") options.isolated = false;
    else if (arg === "--isolation") options.isolated = true;
    else if (arg === "--port" || arg === "--host") {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      if (arg === "--host") options.host = value;
      else {
        options.port = Number(value);
        if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`--port: expected 0 to 65535, got '${value}'`);
      }
    } else throw new Error(`unknown option '${arg}'; usage: node web/serve.js [--port N] [--host H] [--no-isolation]`);
  }
  return options;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  serve(options).then(
    ({ url }) => {
      console.log(`The TensorSlow Playground: ${url}`);
      console.log(
        options.isolated
          ? "COOP/COEP headers sent: the page is cross-origin isolated (SharedArrayBuffer available) when opened from localhost or HTTPS. --no-isolation to serve without."
          : "Not cross-origin isolated: no COOP/COEP headers, so no SharedArrayBuffer.",
      );
      console.log("Serving the repository root; run `npm run build` after changing src/. Ctrl+C stops.");
    },
    (e) => {
      console.error(e.code === "EADDRINUSE" ? `port ${options.port} is in use: try --port 0 for a free one` : e.message);
      process.exit(1);
    },
  );
}
