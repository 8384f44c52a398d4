// The tour's HTML report in a real browser: `tour --html` at the tiny size, opened in headless
// Chromium (the system's browser, driven by puppeteer-core; nothing downloads one). Checks what only
// a renderer can: no console errors, every chart and timeline has a size, no chart title runs past
// its chart's width, the verdict marks render; and a screenshot is kept to look at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const outputDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The system's Chromium: $CHROME_PATH, else the usual install paths (Debian's chromium first). */
function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ];
  return candidates.find((path): path is string => typeof path === 'string' && path !== '' && existsSync(path));
}

interface PageFacts {
  svgs: { width: number; height: number; label: string }[];
  titles: { text: string; left: number; right: number; svgWidth: number }[];
  marks: { text: string; width: number; height: number }[];
  sections: number;
  guideRows: number;
}

/**
 * Runs in the page (a string, so that this Node program needs no DOM typings): sizes of the charts,
 * the extent of each chart title in its SVG's own units, the verdict marks, sections and guide rows.
 */
const FACTS_SCRIPT = `(() => {
  const svgs = [...document.querySelectorAll('figure > svg')];
  return {
    svgs: svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      return { width: box.width, height: box.height, label: svg.querySelector('title')?.textContent ?? '' };
    }),
    titles: svgs.flatMap((svg) =>
      [...svg.querySelectorAll('text.chart-title')].map((text) => {
        const box = text.getBBox();
        return { text: text.textContent ?? '', left: box.x, right: box.x + box.width, svgWidth: svg.viewBox.baseVal.width };
      }),
    ),
    marks: [...document.querySelectorAll('.verdict .mark')].map((mark) => {
      const box = mark.getBoundingClientRect();
      return { text: mark.textContent ?? '', width: box.width, height: box.height };
    }),
    sections: document.querySelectorAll('main > section[id^="section-"]').length,
    guideRows: document.querySelectorAll('table.guide tbody tr').length,
  };
})()`;

const chromium = findChromium();

test(
  'the tour report renders in headless Chromium: no errors, sized charts, titles inside their charts, verdict marks',
  {
    timeout: 180_000,
    skip: chromium === undefined ? "no Chromium found (install Debian's chromium package or set CHROME_PATH)" : false,
  },
  async () => {
    mkdirSync(outputDir, { recursive: true });
    const htmlFile = `${outputDir}tour.html`;
    const tour = spawnSync(process.execPath, [cli, 'tour', '--size', 'tiny', '--html', htmlFile], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(tour.status, 0, tour.stderr);

    const browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      // Root in a container has no user namespace for Chromium's sandbox; the page is our own file.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
      await page.setViewport({ width: 1100, height: 900 });
      await page.goto(`file://${htmlFile}`, { waitUntil: 'load' });

      const facts = (await page.evaluate(FACTS_SCRIPT)) as PageFacts;
      await page.screenshot({ path: `${outputDir}tour.png`, fullPage: true });

      assert.deepEqual(errors, [], 'console errors');
      assert.equal(facts.sections, 10, 'one section per experiment');
      assert.ok(facts.svgs.length >= 10, `only ${facts.svgs.length} charts`);
      for (const svg of facts.svgs)
        assert.ok(svg.width > 0 && svg.height > 0, `"${svg.label}" renders ${svg.width}×${svg.height}`);
      assert.equal(facts.titles.length, facts.svgs.length, 'every chart has a title');
      for (const title of facts.titles) {
        assert.ok(
          title.left >= 0 && title.right <= title.svgWidth,
          `title "${title.text}" spans ${title.left.toFixed(0)}..${title.right.toFixed(0)} in a ${title.svgWidth} px chart`,
        );
      }
      assert.equal(facts.marks.length, facts.sections, 'one verdict mark per section');
      for (const mark of facts.marks) {
        // At --size tiny every verdict is "not testable".
        assert.equal(mark.text, '–');
        assert.ok(mark.width > 0 && mark.height > 0, 'the mark has a size');
      }
      assert.equal(facts.guideRows, 5, 'the decision guide has its five rows');
      assert.ok(existsSync(`${outputDir}tour.png`));
    } finally {
      await browser.close();
    }
  },
);
