import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';

export interface LaunchChromiumOptions {
  /** Chromium binary (default `$LAYERWISE_CHROMIUM`, else Debian's /usr/bin/chromium). */
  executablePath?: string;
}

/**
 * Flags for a quiet, offline headless Chromium: no sandbox (containers), no GPU, and none of the
 * background traffic (updates, sync, first-run pages) that would try the network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Start headless Chromium through playwright-core (which is loaded only here, on first use). */
export async function launchChromium(opts: LaunchChromiumOptions = {}): Promise<Browser> {
  const fromEnv = process.env['LAYERWISE_CHROMIUM'];
  const executablePath = opts.executablePath ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : '/usr/bin/chromium');
  if (!fs.existsSync(executablePath)) {
    const why = opts.executablePath !== undefined ? 'executablePath' : fromEnv !== undefined && fromEnv !== '' ? 'LAYERWISE_CHROMIUM' : 'the default';
    throw new Error(`Chromium not found at ${executablePath} (${why}); install Debian's 'chromium' package, or set LAYERWISE_CHROMIUM (or executablePath) to a Chromium or Chrome binary`);
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new Error("savePNG and the report checks need the 'playwright-core' package; install it with npm");
  }
  return playwright.chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
