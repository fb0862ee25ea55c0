/* The support page: the archive's JSON API (api/openapi.yaml) shown as
 * tables. The address holds the whole state (the search, or the event or
 * subject shown), so every view can be linked from a ticket; links are
 * ordinary links. Text from events is only ever set as textContent. */
'use strict';

const FIELDS = ['subject', 'id', 'type', 'source', 'since', 'until', 'text'];
const PAGE = 50;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k === 'class') e.className = v;
		else e.setAttribute(k, v);
	}
	for (const c of children) e.append(c instanceof Node ? c : String(c));
	return e;
}

function text(v) { return v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v); }

function link(params, label) {
	return el('a', { href: '?' + new URLSearchParams(params).toString() }, label);
}

function status(msg, isError) {
	const s = $('status');
	s.textContent = msg;
	s.className = isError ? 'error' : '';
}

async function api(path, params) {
	const r = await fetch('api/' + path + '?' + new URLSearchParams(params).toString(),
		{ headers: { Accept: 'application/json' } });
	let body;
	try { body = await r.json(); } catch (e) { throw new Error('HTTP ' + r.status + ': not JSON'); }
	if (!r.ok) throw Object.assign(new Error(body.error || ('HTTP ' + r.status)), { status: r.status });
	return body;
}

function showCommand(cmd) {
	$('command').textContent = cmd;
	$('command-box').hidden = !cmd;
}

function hideAll() {
	for (const id of ['results', 'event', 'timeline', 'intro', 'command-box']) $(id).hidden = true;
}

function table(caption, heads, rows) {
	const t = el('table');
	t.append(el('caption', {}, caption));
	const tr = el('tr');
	for (const h of heads) tr.append(el('th', { scope: 'col', class: h.num ? 'num' : '' }, h.label));
	t.append(el('thead', {}, tr));
	const body = el('tbody');
	for (const r of rows) body.append(r);
	t.append(body);
	return t;
}

function cell(v, cls) { return el('td', cls ? { class: cls } : {}, v instanceof Node ? v : text(v)); }

/* A result row: time (the event's link), type, source, subject (its
 * timeline's link), topic, partition, offset. */
function resultRow(r, current) {
	const tr = el('tr', current ? { class: 'current', 'aria-current': 'true' } : {});
	tr.append(cell(typeof r.id === 'string' ? link({ view: 'event', id: r.id }, text(r.time)) : text(r.time), 'mono'));
	tr.append(cell(r.type));
	tr.append(cell(r.source));
	tr.append(cell(typeof r.subject === 'string' ? link({ view: 'timeline', subject: r.subject }, r.subject) : r.subject));
	tr.append(cell(r.topic));
	tr.append(cell(r.partition, 'num'));
	tr.append(cell(r.offset, 'num'));
	return tr;
}

const RESULT_HEADS = [{ label: 'Time' }, { label: 'Type' }, { label: 'Source' }, { label: 'Subject' },
	{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Offset', num: true }];

async function search(p) {
	const params = {};
	for (const f of FIELDS) if (p.get(f)) params[f] = p.get(f);
	const offset = parseInt(p.get('offset') || '0', 10) || 0;
	params.limit = PAGE;
	if (offset) params.offset = offset;
	status('Searching…');
	const box = $('results');
	const a = await api('search', params);
	showCommand(a.command);
	box.replaceChildren();
	const first = a.count ? a.offset + 1 : 0, last = a.offset + a.results.length;
	status(a.count === 1 ? '1 event' : a.count + ' events' + (a.count ? ', newest first' : ''));
	box.append(el('h2', {}, 'Results'));
	box.append(table(a.count ? `Events ${first} to ${last} of ${a.count}, newest first` : 'No event matches',
		RESULT_HEADS, a.results.map((r) => resultRow(r))));
	const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' });
	const here = {};
	for (const f of FIELDS) if (params[f]) here[f] = params[f];
	if (a.offset > 0) pager.append(link(Object.assign({}, here, a.offset - PAGE > 0 ? { offset: a.offset - PAGE } : {}), '← Newer'));
	if (a.more) pager.append(link(Object.assign({}, here, { offset: a.offset + PAGE }), 'Older →'));
	box.append(pager);
	box.hidden = false;
}

/* The failure store's records of this event or subject, when any. */
function failuresNote(f, what) {
	if (!f || !f.count) return null;
	return el('p', { class: 'failures', role: 'note' },
		`${f.count} record${f.count === 1 ? '' : 's'} of ${what} in the failure store ${f.store}: `,
		el('code', {}, f.command));
}

function coordinates(show) {
	const dl = el('dl');
	const add = (k, v) => { dl.append(el('dt', {}, k), el('dd', {}, v instanceof Node ? v : text(v))); };
	if (show.kafka) {
		add('Topic', show.kafka.topic);
		add('Partition', show.kafka.partition);
		add('Offset', show.kafka.offset);
		if (show.kafka.timestamp_time) add('Kafka timestamp', show.kafka.timestamp_time);
		if ('key' in show.kafka) add('Key', show.kafka.key);
		if ('headers' in show.kafka) add('Headers', el('code', {}, JSON.stringify(show.kafka.headers)));
	} else {
		add('Kafka', 'not from Kafka (archived from a file or pipe)');
	}
	add('Archive file', el('code', {}, show.archive.segment));
	add('Byte offset', show.archive.offset);
	return dl;
}

async function showEvent(id) {
	status('Loading event…');
	const a = await api('event', { id });
	const box = $('event');
	box.replaceChildren();
	showCommand(a.command);
	box.append(el('h2', {}, 'Event ', el('code', {}, id)));
	if (a.count > 1) box.append(el('p', {}, `${a.count} stored events have this id (shown in time order).`));
	const failed = failuresNote(a.failures, 'this event');
	if (failed) box.append(failed);
	for (const e of a.events) {
		box.append(coordinates(e.show));
		box.append(el('pre', { class: 'event-json', tabindex: '0', 'aria-label': 'The stored event' }, e.text));
	}
	const same = a.same_subject;
	if (same) {
		box.append(el('h2', {}, 'Events of subject ', link({ view: 'timeline', subject: same.subject }, same.subject)));
		box.append(table(`${same.count} events of this subject, in time order` + (same.truncated ? ' (the first shown)' : ''),
			RESULT_HEADS, same.results.map((r) => resultRow(r, r.id === id))));
		const sameFailed = failuresNote(same.failures, 'this subject');
		if (sameFailed) box.append(sameFailed);
	}
	status('');
	box.hidden = false;
}

function duration(ms) {
	if (ms === null || ms === undefined) return '–';
	const neg = ms < 0; ms = Math.abs(ms);
	const units = [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000]];
	let out = '';
	for (const [u, n] of units) if (ms >= n) { out += Math.floor(ms / n) + u; ms %= n; }
	if (!out) out = ms + 'ms';
	return (neg ? '-' : '+') + out;
}

/* "2h", "30m", "1d" into milliseconds, or null. */
function parseDuration(s) {
	const m = /^\s*(\d+)\s*(ms|s|m|h|d|w)?\s*$/.exec(s || '');
	if (!m) return null;
	const unit = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000 }[m[2] || 'm'];
	return parseInt(m[1], 10) * unit;
}

async function showTimeline(subject, gap) {
	status('Loading timeline…');
	const a = await api('timeline', { subject });
	const box = $('timeline');
	box.replaceChildren();
	showCommand(a.command);
	box.append(el('h2', {}, 'Timeline of ', el('code', {}, subject)));
	const failed = failuresNote(a.failures, 'this subject');
	if (failed) box.append(failed);
	const form = el('form', { class: 'gapform', action: './', method: 'get' });
	form.append(el('input', { type: 'hidden', name: 'view', value: 'timeline' }));
	form.append(el('input', { type: 'hidden', name: 'subject', value: subject }));
	const input = el('input', { name: 'gap', id: 'f-gap', value: gap || '', size: '6', placeholder: '2h' });
	form.append(el('label', { for: 'f-gap' }, 'Mark a wait longer than'), input, el('button', { type: 'submit' }, 'Mark'));
	box.append(form);
	const limit = parseDuration(gap);
	const heads = [{ label: 'Time' }, { label: 'Since previous' }, { label: 'Type' }, { label: 'Source' },
		{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Offset', num: true }, { label: 'Id' }];
	let marked = 0;
	const rows = a.results.map((r) => {
		const late = limit !== null && r.since_previous_ms !== null && r.since_previous_ms > limit;
		if (late) marked++;
		const tr = el('tr', late ? { class: 'gap' } : {});
		tr.append(cell(r.time, 'mono'), cell(duration(r.since_previous_ms) + (late ? ' (long wait)' : '')),
			cell(r.type), cell(r.source), cell(r.topic), cell(r.partition, 'num'), cell(r.offset, 'num'),
			cell(typeof r.id === 'string' ? link({ view: 'event', id: r.id }, r.id) : r.id, 'mono'));
		return tr;
	});
	box.append(table(`${a.count} events across topics, in time order` + (a.truncated ? ' (the first shown)' : '') +
		(limit !== null ? `; ${marked} after a wait over ${gap}` : ''), heads, rows));
	/* nothing since the last event: an order created and never paid shows here */
	const lastRow = a.results[a.results.length - 1];
	if (!a.truncated && lastRow && lastRow.time_ms !== null) {
		const quiet = Date.now() - lastRow.time_ms;
		const late = limit !== null && quiet > limit;
		box.append(el('p', { id: 'since-last', class: late ? 'failures' : 'muted' },
			`Nothing since the last event (${text(lastRow.type)}) for ${duration(quiet).slice(1)}` +
			(late ? `: longer than ${gap}` : '') + '.'));
	}
	status('');
	box.hidden = false;
}

async function route() {
	const p = new URLSearchParams(location.search);
	for (const f of FIELDS) $('f-' + f).value = p.get('view') ? '' : (p.get(f) || '');
	hideAll();
	try {
		if (p.get('view') === 'event' && p.get('id')) await showEvent(p.get('id'));
		else if (p.get('view') === 'timeline' && p.get('subject')) await showTimeline(p.get('subject'), p.get('gap'));
		else if (FIELDS.some((f) => p.get(f)) || p.get('offset')) await search(p);
		else { $('intro').hidden = false; status(''); }
	} catch (e) {
		status(e.message, true);
	}
}

document.addEventListener('DOMContentLoaded', () => {
	/* empty fields stay out of the address */
	$('search').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const params = new URLSearchParams();
		for (const f of FIELDS) { const v = $('f-' + f).value.trim(); if (v) params.set(f, v); }
		location.search = params.toString() || '';
		if (!params.toString()) location.href = './';
	});
	route();
});
