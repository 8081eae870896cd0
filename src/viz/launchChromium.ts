import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';

export interface LaunchChromiumOptions {
  /** Chromium binary (default Debian's /usr/bin/chromium). */
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
  const executablePath = opts.executablePath ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}; install Debian's 'chromium' package or pass executablePath`);
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new Error("savePNG and the report checks need the 'playwright-core' package; install it with npm");
  }
  return playwright.chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
