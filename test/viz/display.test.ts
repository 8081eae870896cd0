import { liveLine, NotebookDisplay, PLOTLY_MIME, show, type DisplayMessage } from '../../src/viz/display';
import type { Figure } from '../../src/viz/Figure';
import { layerHeatmap } from '../../src/viz/layerHeatmap';
import { PLOTLY_BUNDLE_ATTRIBUTE, plotlyVersion } from '../../src/viz/plotlyBundle';
import { table } from '../../src/viz/table';

function recorder(): { sent: DisplayMessage[]; display: NotebookDisplay } {
  const sent: DisplayMessage[] = [];
  const display = new NotebookDisplay(() => (m, update) => {
    expect(update).toBe(false);
    sent.push(m);
  });
  return { sent, display };
}

function html(m: DisplayMessage | undefined): string {
  const h = m?.data['text/html'];
  if (typeof h !== 'string') throw new Error('no text/html in the message');
  return h;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

const fig: Figure = layerHeatmap(
  [
    [1, 0.5],
    [0.5, 1],
  ],
  { title: 'CKA </script><b>' },
);

describe('NotebookDisplay', () => {
  it('embeds plotly.js with the first figure of a session only, and draws every figure', () => {
    const { sent, display } = recorder();
    display.show(fig);
    display.show(fig);
    expect(sent).toHaveLength(2);
    const first = html(sent[0]);
    const second = html(sent[1]);
    expect(count(first, PLOTLY_BUNDLE_ATTRIBUTE)).toBe(1);
    expect(count(second, PLOTLY_BUNDLE_ATTRIBUTE)).toBe(0);
    // the real bundle, not a reference to a CDN
    expect(first).toContain(`plotly.js v${plotlyVersion()}`);
    expect(first.length).toBeGreaterThan(1e6);
    expect(first).not.toMatch(/<script[^>]+src=/);
    // after the bundle's own closing tag comes the figure, as in the second message
    const firstFigure = first.slice(first.indexOf('</script>') + '</script>'.length);
    for (const h of [firstFigure, second]) {
      expect(count(h, 'class="layerwise-plot"')).toBe(1);
      expect(count(h, 'Plotly.newPlot(')).toBe(1);
    }
  });

  it('carries the figure as application/vnd.plotly.v1+json and a text/plain fallback', () => {
    const { sent, display } = recorder();
    display.show(fig);
    const m = sent[0];
    expect(m?.data[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout, config: { displaylogo: false, responsive: true } });
    expect(m?.data['text/plain']).toBe('[Plotly figure: CKA </script><b>]');
  });

  it('cannot be broken out of its script by text in the figure', () => {
    const { sent, display } = recorder();
    display.show(fig);
    display.show(fig);
    const second = html(sent[1]);
    // one opening and one closing script tag: the title's '</script>' is escaped inside the JSON
    expect(count(second, '<script')).toBe(1);
    expect(count(second, '</script>')).toBe(1);
    expect(second).toContain('CKA \\u003c/script>\\u003cb>');
  });

  it('re-embeds plotly.js on request', () => {
    const { sent, display } = recorder();
    display.show(fig);
    display.show(fig, { embedPlotly: true });
    expect(count(html(sent[1]), PLOTLY_BUNDLE_ATTRIBUTE)).toBe(1);
  });

  it('shows HTML fragments as text/html without plotly.js and without counting them as the first figure', () => {
    const { sent, display } = recorder();
    const t = table([{ a: 1 }]);
    display.show(t);
    expect(sent[0]?.data['text/html']).toBe(t);
    expect(sent[0]?.data[PLOTLY_MIME]).toBeUndefined();
    display.show(fig);
    expect(count(html(sent[1]), PLOTLY_BUNDLE_ATTRIBUTE)).toBe(1);
  });

  it('does not count a figure as sent when there was nowhere to send it', () => {
    const sent: DisplayMessage[] = [];
    let ready = false;
    const display = new NotebookDisplay(() => {
      if (!ready) throw new Error('no kernel');
      return (m) => sent.push(m);
    });
    expect(() => display.show(fig)).toThrow('no kernel');
    ready = true;
    display.show(fig);
    expect(count(html(sent[0]), PLOTLY_BUNDLE_ATTRIBUTE)).toBe(1);
  });

  it('rejects things that are neither figures nor HTML', () => {
    const { display } = recorder();
    expect(() => display.show({ data: 'x' } as unknown as Figure)).toThrow(/expected a figure/);
  });
});

describe('NotebookDisplay.liveText (progress rewritten in place)', () => {
  it('sends one display, then updates of that display, each with the latest line only', () => {
    const sent: { m: DisplayMessage; update: boolean }[] = [];
    let sinks = 0;
    const display = new NotebookDisplay(() => {
      sinks++;
      return (m, update) => sent.push({ m, update });
    });
    const write = display.liveText();
    write('extract 0/3 (0%)\n');
    write('extract 2/3 (66%)\n');
    write('extract 3/3 (100%)\n');
    // the cell's writer is taken once: updates still go to the cell that created the line
    expect(sinks).toBe(1);
    expect(sent.map((s) => s.update)).toEqual([false, true, true]);
    expect(sent.map((s) => s.m.data)).toEqual([{ 'text/plain': 'extract 0/3 (0%)' }, { 'text/plain': 'extract 2/3 (66%)' }, { 'text/plain': 'extract 3/3 (100%)' }]);
    const ids = sent.map((s) => s.m.transient['display_id']);
    expect(ids[0]).toMatch(/^layerwise-live-[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(1);
    // a second line is a display of its own
    const other = display.liveText();
    other('sae 1/2 (50%)');
    expect(sent[3]?.m.transient['display_id']).not.toBe(ids[0]);
    expect(sent[3]?.update).toBe(false);
  });

  it('writes plain lines to stdout outside a notebook', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const write = liveLine();
      write('extract 1/2 (50%)\n');
      write('extract 2/2 (100%)');
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['extract 1/2 (50%)\n', 'extract 2/2 (100%)\n']);
  });
});

describe('show outside a notebook', () => {
  it('fails with a hint to the file-based alternatives', () => {
    expect(() => show(fig)).toThrow(/tslab kernel.*saveHTML\(figure, path\) or savePNG\(figure, path\)/s);
  });
});
