/**
 * The one place that talks to the notebook: `show(figure)` / `show(html)` in a tslab kernel.
 *
 * A figure goes out as one display message carrying three representations:
 * - `text/html`: a div plus a `Plotly.newPlot` script. The first figure of a kernel session also carries
 *   plotly.js itself (from plotly.js-dist-min, no CDN), later ones reuse `window.Plotly`. This is what classic
 *   Notebook, JupyterLab without a Plotly extension and nbconvert's HTML export render.
 * - `application/vnd.plotly.v1+json`: the figure as data, for front ends with a native Plotly renderer.
 * - `text/plain`: a one-line description for plain-text consumers.
 *
 * tslab's public `display` sends one MIME type per message, so the message goes through the writer tslab
 * keeps for the running cell (`lastWriteDisplayData` in tslab's jupyter module, the same function behind
 * `tslab.display`), found in the kernel process's module cache.
 */
import { randomUUID } from 'node:crypto';
import { isFigure, type Figure } from './Figure';
import { DEFAULT_PLOT_CONFIG, figureHtml } from './figureHtml';
import { plotlyBundleScript } from './plotlyBundle';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A Jupyter `display_data` message body. */
export interface DisplayMessage {
  data: Record<string, string | object>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

/** Sends a display message to the front end (tslab's `lastWriteDisplayData` has this signature). */
export type DisplaySink = (message: DisplayMessage, update: boolean) => void;

/** Receives text lines (the `write` of `textProgress` and `textTrainProgress`). */
export type LineWriter = (line: string) => void;

/** Options of `show`. */
export interface ShowOptions {
  /**
   * Send plotly.js with this figure even if an earlier one carried it (use after clearing the output
   * that held it, so the saved notebook still renders).
   */
  embedPlotly?: boolean;
}

/** Something `show` can display: a figure, or an HTML fragment such as `table(...)` or `audioPlayer(...)`. */
export type Showable = Figure | string;

/** Display state of one kernel session: whether plotly.js has been sent yet. */
export class NotebookDisplay {
  private plotlyEmbedded = false;

  /** `sink` is asked for the writer at every `show`, since the kernel replaces it for each cell. */
  constructor(private readonly sink: () => DisplaySink) {}

  /** Build the display message for `item` (also used by `show`); marks nothing as sent. */
  message(item: Showable, opts: ShowOptions = {}): DisplayMessage {
    if (typeof item === 'string') {
      return { data: { 'text/html': item, 'text/plain': '[HTML output: run in Jupyter to view]' }, metadata: {}, transient: {} };
    }
    if (!isFigure(item)) throw new TypeError('show: expected a figure {data, layout} (from a layerwise builder) or an HTML string');
    const embed = opts.embedPlotly === true || !this.plotlyEmbedded;
    const html = (embed ? plotlyBundleScript() + '\n' : '') + figureHtml(item);
    // A JSON round trip turns typed arrays and undefined fields into what the JSON front ends receive anyway.
    const spec = JSON.parse(JSON.stringify({ data: item.data, layout: item.layout, config: DEFAULT_PLOT_CONFIG })) as object;
    const title = item.layout.title?.text;
    return {
      data: { 'text/html': html, [PLOTLY_MIME]: spec, 'text/plain': `[Plotly figure${title !== undefined ? `: ${title}` : ''}]` },
      metadata: {},
      transient: {},
    };
  }

  /**
   * One text output that each call replaces (a display with a `display_id`, re-sent as `update_display_data`):
   * the front end redraws it in place, and nbclient keeps only the last text in the saved notebook.
   * The writer of the cell that creates it is kept, so updates still land after the kernel moved on.
   */
  liveText(): LineWriter {
    const write = this.sink();
    const transient = { display_id: `layerwise-live-${randomUUID()}` };
    let sent = false;
    return (line) => {
      const text = line.replace(/\n+$/, '');
      write({ data: { 'text/plain': text }, metadata: {}, transient }, sent);
      sent = true;
    };
  }

  /** Display `item` in the notebook. */
  show(item: Showable, opts: ShowOptions = {}): void {
    const write = this.sink();
    const message = this.message(item, opts);
    write(message, false);
    if (typeof item !== 'string') this.plotlyEmbedded = true;
  }
}

/**
 * The running tslab kernel's display writer. Throws when this process is not a tslab kernel executing a
 * cell, with a pointer to the file-based alternatives.
 */
export function tslabSink(): DisplaySink {
  const cache = require.cache;
  for (const key of Object.keys(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) continue;
    const exported: unknown = cache[key]?.exports;
    if (typeof exported !== 'object' || exported === null) continue;
    const write: unknown = (exported as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof write === 'function') return (message, update) => (write as DisplaySink)(message, update);
  }
  throw new Error(
    "show() displays in a Jupyter notebook running the tslab kernel (registered as 'layerwise'), and no such kernel " +
      'is running in this process. Outside notebooks, write the figure to a file with saveHTML(figure, path) or savePNG(figure, path).',
  );
}

let sessionDisplay: NotebookDisplay | undefined;

/**
 * Display a figure or an HTML fragment inline in the notebook (JupyterLab, classic Notebook, and HTML
 * exported by nbconvert), offline. plotly.js is embedded with the first figure of the kernel session.
 */
export function show(item: Showable, opts: ShowOptions = {}): void {
  sessionDisplay ??= new NotebookDisplay(tslabSink);
  sessionDisplay.show(item, opts);
}

/**
 * A `write` for progress lines that keeps them on one line: in a notebook each line replaces the previous one
 * in the cell's output (so a long extraction or SAE training shows one moving line, and the saved notebook or
 * report keeps the last, a short summary); outside a tslab kernel (scripts, logs) lines go to stdout one by one.
 * Create it in the cell whose output should hold the line:
 * `extractFeatures(model, data, { onProgress: textProgress({ write: liveLine() }) })`.
 */
export function liveLine(): LineWriter {
  let sink: DisplaySink;
  try {
    sink = tslabSink();
  } catch {
    return (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
  }
  return new NotebookDisplay(() => sink).liveText();
}
