// The support page of `hub-archive serve` in headless Chromium (Debian's,
// driven by playwright-core): search a subject from the form, open one of
// its events, then its timeline, asserting what the page shows at each
// step; every request stays on the server, and the console has no error
// (a Content-Security-Policy refusal would be one). Screenshots of each
// step go to $HUB_SHOTS. Run by tests/hub-archive-serve.bats with
// HUB_URL, HUB_ORDER (a subject with several events) and HUB_EVENT (one
// of them); prints one line per step, exits nonzero at the first failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const url = process.env.HUB_URL, order = process.env.HUB_ORDER, eventId = process.env.HUB_EVENT;
const shots = process.env.HUB_SHOTS || os.tmpdir();

function check(ok, what) {
	if (!ok) throw new Error('failed: ' + what);
}

async function main() {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1280, height: 800 },
	});
	const problems = [];
	try {
		const page = context.pages()[0] || await context.newPage();
		page.on('request', (r) => { if (!r.url().startsWith(url + '/')) problems.push('request to ' + r.url()); });
		page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
		page.on('pageerror', (e) => problems.push('page error: ' + e.message));

		// 1. the search form, from the keyboard
		await page.goto(url + '/');
		check(await page.isVisible('#intro'), 'the introduction is shown before a search');
		await page.focus('#f-subject');
		await page.keyboard.type(order);
		await page.keyboard.press('Enter');
		await page.waitForSelector('#results table tbody tr');
		const u = new URL(page.url());
		check(u.searchParams.get('subject') === order, 'the search is in the address: ' + page.url());
		check(await page.inputValue('#f-subject') === order, 'the form keeps the subject');
		const command = await page.textContent('#command');
		check(/^hub-archive -d \S+ find --subject /.test(command) && command.endsWith(order), 'the command: ' + command);
		const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) =>
			Array.from(tr.cells, (td) => td.textContent)));
		check(rows.length >= 2, 'several rows: ' + rows.length);
		check(rows.every((r) => r.length === 7 && r[3] === order && r[4] === 'shop'), 'each row: ' + JSON.stringify(rows[0]));
		const heads = await page.$$eval('#results thead th', (ths) => ths.map((th) => th.textContent));
		check(heads.join(',') === 'Time,Type,Source,Subject,Topic,Partition,Offset', 'the columns: ' + heads);
		const times = rows.map((r) => r[0]);
		check(times.join() === times.slice().sort().reverse().join(), 'newest first');
		await page.screenshot({ path: path.join(shots, 'search.png'), fullPage: true });
		console.log(`search: ${rows.length} rows for ${order}`);

		// the address alone gives the same page (a link from a ticket)
		const again = await context.newPage();
		await again.goto(page.url());
		await again.waitForSelector('#results table tbody tr');
		check((await again.$$('#results tbody tr')).length === rows.length, 'the link gives the same results');
		await again.close();

		// 2. one event, from its row
		await page.click(`#results a[href*="id=${eventId}"]`);
		await page.waitForSelector('#event pre.event-json');
		check((await page.textContent('#event h2')).includes(eventId), 'the event heading');
		const dl = await page.$$eval('#event dl dt, #event dl dd', (els) => els.map((e) => e.textContent));
		const field = (k) => dl[dl.indexOf(k) + 1];
		check(field('Topic') === 'shop', 'the topic: ' + dl);
		check(/^\d+$/.test(field('Partition')) && /^\d+$/.test(field('Offset')), 'the coordinates');
		check(field('Headers').includes('support-test'), 'the headers: ' + field('Headers'));
		check(/\/shop\/.*\.ndjson$/.test(field('Archive file')), 'the archive file: ' + field('Archive file'));
		const pretty = await page.textContent('#event pre.event-json');
		check(JSON.parse(pretty).event.id === eventId, 'the event, pretty-printed');
		check((await page.textContent('#command')).endsWith('show ' + eventId), 'the show command');
		const current = await page.$$eval('#event tr[aria-current="true"]', (trs) => trs.length);
		check(current === 1, 'the event is marked among its subject\'s events');
		const same = await page.$$eval('#event tbody tr', (trs) => trs.length);
		check(same === rows.length, `the subject's events: ${same} of ${rows.length}`);
		await page.screenshot({ path: path.join(shots, 'event.png'), fullPage: true });
		console.log(`event: ${field('Topic')} ${field('Partition')} ${field('Offset')}`);

		// 3. the subject's timeline, a long wait marked
		await page.click(`#event h2 a`);
		await page.waitForSelector('#timeline table tbody tr');
		const tl = await page.$$eval('#timeline tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
		check(tl.length === rows.length && tl.join() === times.slice().reverse().join(), 'the timeline, oldest first');
		await page.fill('#f-gap', '1ms');
		await page.click('#timeline form button');
		await page.waitForSelector('#timeline tr.gap');
		check(new URL(page.url()).searchParams.get('gap') === '1ms', 'the mark is in the address');
		const quiet = await page.textContent('#since-last');
		check(/^Nothing since the last event \(com\.example\.retail\.[a-z.]+\) for \S+: longer than 1ms\.$/.test(quiet),
			'the wait since the last event: ' + quiet);
		await page.screenshot({ path: path.join(shots, 'timeline.png'), fullPage: true });
		console.log(`timeline: ${tl.length} events, ${(await page.$$('#timeline tr.gap')).length} after a wait`);

		// markup in a search is text, never markup: no script runs
		let dialogs = 0;
		page.on('dialog', (d) => { dialogs++; d.dismiss(); });
		const markup = '<img src=x onerror=alert(1)>';
		await page.goto(url + '/?' + new URLSearchParams({ subject: markup, text: '<b>x</b>' }));
		await page.waitForSelector('#results table caption');
		check((await page.textContent('#command')).includes(markup), 'the command shows the markup as text');
		check(await page.$('#results img') === null && await page.$('#command b') === null, 'no element made of it');
		check(dialogs === 0, 'no script ran');

		// an unknown event: the API's message on the page
		await page.goto(url + '/?view=event&id=no-such-event');
		await page.waitForSelector('#status.error');
		check((await page.textContent('#status')).includes("no event with id 'no-such-event'"), 'the 404 message');
		problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('404')));
		check(problems.length === 0, problems.join('; '));
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

main().catch((e) => {
	console.error(e.message);
	process.exit(1);
});
