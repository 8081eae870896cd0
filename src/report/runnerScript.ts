/**
 * The Python side of `renderReport`, run as `python3 -c RUNNER_SCRIPT CONFIG_JSON` under Debian's
 * Jupyter (nbclient, nbformat, nbconvert). It lives in a TypeScript string so it ships inside `dist/`
 * with the rest of the package.
 *
 * Why not `jupyter nbconvert --execute`: tslab reports a failing cell as an empty error
 * ("<Error>: ") and writes the real message to the cell's stderr stream, and nbconvert neither keeps the
 * executed notebook on failure nor tells which cell failed. This runner executes cell by cell, always
 * writes the executed notebook, exports HTML only when every cell succeeded, and returns the failing
 * cell's index, source and output.
 *
 * A promise rejected in a cell without being awaited does not fail the cell (tslab reports nothing, and the
 * report would look clean): before the first cell the runner installs, in the kernel, a listener for
 * unhandled rejections, and after every cell (and once more, after a short wait, at the end) it runs a probe
 * that reports what the listener caught; a rejection fails the report naming the cell it surfaced in. The
 * probes are transient cells: they are not part of the executed notebook.
 *
 * The HTML template extends nbconvert's 'lab' template without its two CDN scripts (require.js and
 * MathJax), so the report loads nothing from the network; figures carry plotly.js themselves.
 *
 * CONFIG_JSON: {notebook, cwd, kernel, timeout, outIpynb, outHtml, result}. The result file receives
 * {ok: true, cells} or {ok: false, kind, message, cell?, source?, output?}.
 */
export const RUNNER_SCRIPT = String.raw`
import json, os, sys, tempfile, time

cfg = json.loads(sys.argv[1])

def write_result(obj):
    with open(cfg["result"], "w", encoding="utf-8") as f:
        json.dump(obj, f)

try:
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    from jupyter_client.kernelspec import NoSuchKernel
except ImportError as e:
    write_result({"ok": False, "kind": "setup", "message": "Jupyter is missing from %s: %s (install Debian's python3-nbclient and jupyter-nbconvert)" % (sys.executable, e)})
    sys.exit(2)

nb = nbformat.read(cfg["notebook"], as_version=4)
client = NotebookClient(nb, kernel_name=cfg["kernel"], timeout=cfg["timeout"], startup_timeout=120,
                        allow_errors=False, resources={"metadata": {"path": cfg["cwd"]}})

def cell_output(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append((o.get("name"), o.get("text", "")))
        elif o.get("output_type") == "error":
            parts.append(("stderr", "%s: %s\n%s" % (o.get("ename", ""), o.get("evalue", ""), "\n".join(o.get("traceback", [])))))
    errors = "".join(t for n, t in parts if n == "stderr")
    return errors if errors.strip() else "".join(t for _, t in parts)

def save_notebook():
    nbformat.write(nb, cfg["outIpynb"])

REJECTIONS_SETUP = '''{
  const g: { __layerwiseRejections?: string[] } = globalThis as never;
  if (g.__layerwiseRejections === undefined) {
    const caught: string[] = [];
    g.__layerwiseRejections = caught;
    process.on('unhandledRejection', (reason: unknown) => {
      caught.push(reason instanceof Error ? String(reason.stack ?? reason.message) : String(reason));
    });
  }
}'''

def rejections_probe(wait_ms):
    return '''{
  await new Promise((r) => setTimeout(r, %d));
  const g: { __layerwiseRejections?: string[] } = globalThis as never;
  console.log('__layerwise_rejections__ ' + JSON.stringify((g.__layerwiseRejections ?? []).splice(0)));
}''' % wait_ms

def run_probe(source):
    # nbclient routes a cell's outputs by its index in nb.cells: the probe gets an index of its own, briefly.
    probe = nbformat.v4.new_code_cell(source)
    nb.cells.append(probe)
    try:
        client.execute_cell(probe, len(nb.cells) - 1)
    finally:
        nb.cells.pop()
    for o in probe.get("outputs", []):
        text = o.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        for line in text.splitlines():
            if line.startswith("__layerwise_rejections__ "):
                return json.loads(line[len("__layerwise_rejections__ "):])
    return []

def rejection_failure(index, lost, when):
    cell = nb.cells[index]
    first = lost[0].strip().splitlines()[0] if lost[0].strip() else "(no message)"
    return {"ok": False, "kind": "cell",
            "message": "unhandled promise rejection %s: %s (a promise was rejected and never awaited or caught)" % (when, first),
            "cell": index, "source": cell.source, "output": "\n".join(lost)}

code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
failure = None
try:
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        if code_cells:
            run_probe(REJECTIONS_SETUP)
        for n, index in enumerate(code_cells):
            cell = nb.cells[index]
            started = time.time()
            sys.stderr.write("[report] cell %d/%d (notebook cell %d)\n" % (n + 1, len(code_cells), index))
            sys.stderr.flush()
            try:
                # tslab publishes no execute_input, so number the cells here as Jupyter would.
                client.execute_cell(cell, index, execution_count=n + 1)
            except Exception as e:
                failure = {"ok": False, "kind": "cell", "message": "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[-1] if str(e).strip() else ""),
                           "cell": index, "source": cell.source, "output": cell_output(cell)}
                break
            lost = run_probe(rejections_probe(10))
            if lost:
                failure = rejection_failure(index, lost, "during this cell")
                break
            sys.stderr.write("[report] cell %d/%d done in %.1f s\n" % (n + 1, len(code_cells), time.time() - started))
            sys.stderr.flush()
        if failure is None and code_cells:
            # Work a cell started without awaiting it may fail after the last cell: give it a moment.
            lost = run_probe(rejections_probe(500))
            if lost:
                failure = rejection_failure(code_cells[-1], lost, "after the last cell")
except NoSuchKernel:
    write_result({"ok": False, "kind": "kernel", "message": "no Jupyter kernel named '%s' is registered (run 'layerwise kernel install')" % cfg["kernel"]})
    sys.exit(2)

save_notebook()
if failure is not None:
    write_result(failure)
    sys.exit(1)

template_dir = tempfile.mkdtemp(prefix="layerwise-template-")
template = os.path.join(template_dir, "offline.html.j2")
with open(template, "w", encoding="utf-8") as f:
    f.write("{%- extends 'lab/index.html.j2' -%}\n"
            "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
            "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n")
body, _ = HTMLExporter(template_file=template).from_notebook_node(nb, resources={"metadata": {"name": cfg["title"]}})
with open(cfg["outHtml"], "w", encoding="utf-8") as f:
    f.write(body)
os.remove(template)
os.rmdir(template_dir)
write_result({"ok": True, "cells": len(code_cells)})
`;
