"""Execute a one-cell notebook in the 'layerwise' kernel and check that it imported the library.

Run by environment/setup.sh with the Python that has Jupyter (Debian's /usr/bin/python3 here). The notebook
is written inside the repository so that the kernel resolves `layerwise` from the project's node_modules.
"""
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.environ.get("LAYERWISE_KERNEL", "layerwise")

cell = """import * as lw from 'layerwise';
const m = lw.toMatrix([[1, 2], [3, 4]]);
console.log(`layerwise-ok ${m.rows}x${m.cols}`);"""

nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "TypeScript (layerwise)", "language": "typescript"}
nb.cells = [nbformat.v4.new_code_cell(cell)]
workdir = os.path.join(ROOT, "notebooks")
client = NotebookClient(nb, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": workdir}})
try:
    client.execute()
except Exception as e:  # nbclient raises CellExecutionError with the cell's traceback
    sys.exit(f"verify_kernel: the '{KERNEL}' kernel failed to run a cell: {e}")
text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
if "layerwise-ok 2x2" not in text:
    sys.exit(f"verify_kernel: unexpected output from the '{KERNEL}' kernel: {nb.cells[0].outputs!r}")
print(f"kernel '{KERNEL}' runs TypeScript and imports layerwise: {text.strip()}")
