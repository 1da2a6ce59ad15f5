// What the browser tests share: Debian's Chromium started headless the way
// this machine allows (no sandbox, no GPU, no background networking), the
// folder screenshots are kept in, and a colour as the browser reports it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Chromium with a 1280×900 page; extraArgs are added to the launch flags.
export async function launchBrowser(extraArgs = []) {
  fs.mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-features=HttpsUpgrades', ...extraArgs],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { browser, context, page };
}

// "#RRGGBB" as getComputedStyle reports it.
export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
