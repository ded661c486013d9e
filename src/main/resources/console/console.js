/*
 * The operator console: a client of the bridge's admin API (docs/admin-api.md), and nothing else. The admin token is
 * entered once per browser tab, kept in this tab's sessionStorage and sent as a header; it never appears in a URL.
 * No framework and no build step; the DOM is built with createElement and textContent only, so nothing the bridge
 * stored (an event's payload, say) can ever run as markup or script here.
 */
(function () {
  'use strict';

  const TOKEN_KEY = 'smartcar-bridge.admin-token';
  // relative to the page, so that the console also works behind a proxy that adds a path prefix
  const ADMIN = new URL('../admin/', document.baseURI);
  const REFRESH_MS = { overview: 15000, events: 10000 };
  const SILENT_AFTER_SECONDS = 24 * 3600;
  const COLOURS = { accepted: '#0b5cad', duplicate: '#6e40c9', rejected: '#b42318', unrecognised: '#8a5300' };

  const $ = (selector) => document.querySelector(selector);
  let refreshTimer = null;
  const charts = {};

  // ---------------------------------------------------------------------------------------------------------------
  // DOM and formatting

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function fill(container, ...children) {
    container.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  }

  function dash() {
    return el('span', { 'aria-label': 'none' }, '–');
  }

  function when(iso) {
    if (!iso) return dash();
    return el('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString(undefined, {
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
    }));
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + ' s';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min';
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + ' h ' + (minutes % 60) + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  /** Seconds between an instant and the bridge's "now" (not this browser's clock, which may be off). */
  function secondsBetween(iso, nowIso) {
    return (Date.parse(nowIso) - Date.parse(iso)) / 1000;
  }

  function badge(text, kind) {
    return el('span', { class: 'badge ' + (kind || 'plain') }, text);
  }

  function statusBadge(status) {
    const kinds = { DELIVERED: 'ok', SUBSCRIBED: 'ok', ACTIVE: 'ok', DEAD: 'bad', FAILED: 'bad', NEEDS_REAUTHORIZATION: 'bad',
      PENDING: 'warn', IN_FLIGHT: 'warn', RETRY: 'warn', PAUSED: 'warn', SUBSCRIBING: 'warn', GONE: 'warn', SUPERSEDED: 'ok' };
    return badge(String(status).replace(/_/g, ' ').toLowerCase(), kinds[status]);
  }

  function plural(count, one, many) {
    return count.toLocaleString() + ' ' + (count === 1 ? one : (many || one + 's'));
  }

  /** The counts of an answer whose exact fields the console does not rely on: "vehiclesSubscribed: 2" as "vehicles subscribed: 2". */
  function summarise(body) {
    if (!body || typeof body !== 'object') return '';
    return Object.entries(body)
      .filter(([, value]) => typeof value === 'number')
      .map(([key, value]) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() + ': ' + value)
      .join(', ');
  }

  function table(caption, headings, rows, emptyText) {
    return el('div', { class: 'table-wrap' }, el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headings.map((heading) =>
        el('th', { scope: 'col', class: heading.startsWith('#') ? 'number' : null }, heading.replace(/^#/, ''))))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headings.length, class: 'empty' }, emptyText)))));
  }

  function fillRows(tbody, rows, columns, emptyText) {
    fill(tbody, rows.length ? rows : el('tr', {}, el('td', { colspan: columns, class: 'empty' }, emptyText)));
  }

  /** The form's fields as query parameters: empty ones left out, local date-times as ISO-8601 instants. */
  function formQuery(form) {
    const query = {};
    for (const field of form.elements) {
      if (!field.name || field.value === '') continue;
      query[field.name] = field.type === 'datetime-local' ? new Date(field.value).toISOString() : field.value.trim();
    }
    return query;
  }

  function setOptions(select, names, allLabel) {
    const chosen = select.value;
    fill(select, allLabel ? el('option', { value: '' }, allLabel) : null, names.map((name) => el('option', { value: name }, name)));
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The admin API

  class ApiError extends Error {
    constructor(status, message, reason) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function call(method, path, query, bearer, body) {
    const url = new URL(path, ADMIN);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
    }
    const headers = { Accept: 'application/json' };
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    if (body) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, { method, headers, body: body || undefined, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
    } catch (e) {
      throw new ApiError(0, 'The bridge did not answer. Check that it runs, then try again.');
    }
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, (answer && answer.error) || 'HTTP ' + response.status, answer && answer.reason);
    }
    return answer;
  }

  /** A call with the tab's token; a 401 ends the session (the token was changed, or the admin API switched off). */
  async function api(method, path, query, body) {
    try {
      return await call(method, path, query, token(), body);
    } catch (e) {
      if (e.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        if (e.reason === 'admin_api_disabled') {
          showPage('admin-off');
        } else {
          showSignIn('The admin token was refused. Sign in again.');
        }
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Messages and confirmations

  function say(text, failed) {
    const result = $('#result');
    result.classList.toggle('failed', !!failed);
    result.classList.toggle('empty', !text);
    $('#result-text').textContent = text || '';
  }

  function confirmAction(title, text, confirmLabel, danger) {
    const dialog = $('#confirm');
    $('#confirm-title').textContent = title;
    $('#confirm-text').textContent = text;
    const ok = $('#confirm-ok');
    ok.textContent = confirmLabel;
    ok.className = danger ? 'danger' : '';
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
      dialog.showModal();
      $('#confirm-cancel').focus();
    });
  }

  /**
   * Asks first, then calls, then says what happened and reloads the page. Focus goes back to the control of the same
   * name after the reload (the rows are rebuilt), or to the page's heading.
   */
  async function act(confirmation, perform, describe) {
    const [title, text, confirmLabel, danger] = confirmation;
    const key = document.activeElement && document.activeElement.dataset.key;
    if (!(await confirmAction(title, text, confirmLabel, danger))) return;
    try {
      say(describe(await perform()));
    } catch (e) {
      if (e.status !== 401) say(title.replace(/\?$/, '') + ' failed: ' + e.message, true);
      return;
    }
    await refresh();
    const again = key && document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    (again || visiblePage().querySelector('h1')).focus();
  }

  function button(label, key, onclick, kind) {
    return el('button', { type: 'button', class: kind || 'quiet', 'data-key': key, onclick }, label);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pages

  const PAGES = {
    overview: { title: 'Overview', load: loadOverview },
    events: { title: 'Events', load: loadEvents },
    event: { title: 'Event', load: loadEvent },
    'dead-letters': { title: 'Dead letters', load: loadDeadLetters },
    destinations: { title: 'Destinations', load: loadDestinations },
    destination: { title: 'Destination', load: loadDestination },
    vehicles: { title: 'Connections and vehicles', load: loadVehicles },
    vehicle: { title: 'Vehicle', load: loadVehicle }
  };

  function visiblePage() {
    return document.querySelector('main > .page:not([hidden])') || $('#main');
  }

  function showPage(name) {
    for (const page of document.querySelectorAll('main > .page')) page.hidden = page.id !== 'page-' + name;
    const signedIn = !!PAGES[name];
    $('#nav').hidden = !signedIn;
    $('#refresh-bar').hidden = !signedIn;
    $('#sign-out').hidden = !signedIn;
    document.title = (PAGES[name] ? PAGES[name].title : visiblePage().querySelector('h1').textContent) + ' · Smartcar bridge console';
    if (!signedIn) clearTimeout(refreshTimer);
  }

  function showSignIn(message) {
    showPage('sign-in');
    $('#sign-in-error').textContent = message || '';
    $('#admin-token').focus();
  }

  function currentRoute() {
    const [page, ...rest] = (location.hash.slice(1) || 'overview').split('/');
    if (page === 'events' && rest.length) return { page: 'event', argument: decodeURIComponent(rest.join('/')) };
    if (page === 'vehicles' && rest.length) return { page: 'vehicle', argument: decodeURIComponent(rest.join('/')) };
    if (page === 'destinations' && rest.length) return { page: 'destination', argument: decodeURIComponent(rest.join('/')) };
    return { page: PAGES[page] && !['event', 'vehicle', 'destination'].includes(page) ? page : 'overview', argument: null };
  }

  /** Shows the page the URL names, loads it and moves focus to its heading (for screen readers and the keyboard). */
  async function navigate() {
    if (!token()) return probe();
    const { page } = currentRoute();
    for (const link of document.querySelectorAll('#nav a')) {
      const current = link.getAttribute('href') === '#' + ({ event: 'events', vehicle: 'vehicles', destination: 'destinations' }[page] || page);
      if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    say('');
    showPage(page);
    visiblePage().querySelector('h1').focus();
    await refresh();
  }

  /** Reloads the page shown; the overview and the events list keep themselves up to date. */
  async function refresh() {
    clearTimeout(refreshTimer);
    const { page, argument } = currentRoute();
    try {
      await PAGES[page].load(argument);
      $('#updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      if (e.status === 401) return; // signed out meanwhile: the sign-in page is shown
      say('Could not load ' + PAGES[page].title.toLowerCase() + ': ' + e.message, true);
    }
    // a sign-out while the page loaded stops the refreshing
    if (REFRESH_MS[page] && token()) {
      refreshTimer = setTimeout(autoRefresh, REFRESH_MS[page]);
    }
  }

  function autoRefresh() {
    if (!token()) return;
    const { page } = currentRoute();
    const paused = document.hidden || $('#confirm').open || (page === 'events' && !$('#events-live').checked)
      // rebuilding the rows would take the focus away from a row the operator is on
      || (page === 'events' && $('#events-table').contains(document.activeElement));
    if (paused) {
      refreshTimer = setTimeout(autoRefresh, REFRESH_MS[page]);
    } else {
      refresh();
    }
  }

  // --- Overview

  async function loadOverview() {
    const stats = await api('GET', 'stats', { window: '1h', step: '1m' });
    const now = stats.generatedAt;
    fill($('#fact-last-event'), stats.lastEventReceivedAt
      ? [when(stats.lastEventReceivedAt), el('small', {}, duration(secondsBetween(stats.lastEventReceivedAt, now)) + ' ago')]
      : 'none kept');
    const backlog = stats.destinations.reduce((sum, destination) => sum + destination.backlog, 0);
    const oldest = Math.max(0, ...stats.destinations.map((destination) => destination.oldestPendingAgeSeconds || 0));
    fill($('#fact-backlog'), plural(backlog, 'delivery', 'deliveries'), backlog ? el('small', {}, 'oldest waiting ' + duration(oldest)) : null);
    fill($('#fact-dead-letters'), stats.deadLetters ? el('a', { href: '#dead-letters' }, String(stats.deadLetters)) : '0');
    fill($('#fact-paused'), stats.pausedDestinations.length
      ? el('a', { href: '#destinations' }, stats.pausedDestinations.join(', ')) : 'none');

    const intake = stats.intake;
    const totals = intake.totals;
    $('#intake-totals').textContent = 'In the last hour: ' + plural(totals.accepted, 'event') + ' accepted, '
      + plural(totals.duplicate, 'duplicate') + ', ' + totals.rejected.toLocaleString() + ' rejected, '
      + totals.unrecognised.toLocaleString() + ' unrecognised.';
    drawChart('chart-accepted', intake.time, [['Accepted', intake.accepted, COLOURS.accepted], ['Duplicate', intake.duplicate, COLOURS.duplicate, [6, 4]]]);
    drawChart('chart-refused', intake.time, [['Rejected', intake.rejected, COLOURS.rejected], ['Unrecognised', intake.unrecognised, COLOURS.unrecognised, [6, 4]]]);
    $('#chart-accepted-summary').textContent = totals.accepted + ' accepted and ' + totals.duplicate + ' duplicate deliveries in the last hour, per minute.';
    $('#chart-refused-summary').textContent = totals.rejected + ' rejected and ' + totals.unrecognised + ' unrecognised deliveries in the last hour, per minute.';

    fillRows($('#overview-destinations tbody'), stats.destinations.map((destination) => el('tr', {},
      el('th', { scope: 'row' }, destination.name),
      el('td', { class: 'number' }, destination.backlog),
      el('td', {}, destination.oldestPendingAgeSeconds === null ? dash() : duration(destination.oldestPendingAgeSeconds)),
      el('td', { class: 'number' }, destination.deadLetters ? el('a', { href: '#dead-letters' }, String(destination.deadLetters)) : '0'),
      el('td', {}, stateBadge(destination)))), 5, 'No destination is configured: events are stored and nothing is forwarded.');
  }

  function stateBadge(destination) {
    if (destination.configured === false) return badge('not configured', 'bad');
    return destination.paused ? badge('paused', 'warn') : badge('running', 'ok');
  }

  /** One uPlot chart per container, its data replaced on each refresh; it follows the width of the page. */
  function drawChart(id, times, series) {
    const container = document.getElementById(id);
    const data = [times, ...series.map((s) => s[1])];
    const width = Math.max(260, container.clientWidth - 4);
    if (charts[id]) {
      charts[id].setData(data);
      return;
    }
    charts[id] = new uPlot({
      width, height: 220,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (plot, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      axes: [
        { stroke: '#57606a', grid: { stroke: '#eaeef2' } },
        { stroke: '#57606a', grid: { stroke: '#eaeef2' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
          values: (plot, ticks) => ticks.map((tick) => tick.toLocaleString()) }
      ],
      series: [{ label: 'Minute' }, ...series.map(([label, , colour, lineDash]) =>
        ({ label, stroke: colour, width: 2, dash: lineDash, points: { show: false }, value: (plot, value) => value === null ? '–' : value }))]
    }, data, container);
  }

  window.addEventListener('resize', () => {
    for (const [id, chart] of Object.entries(charts)) {
      chart.setSize({ width: Math.max(260, document.getElementById(id).clientWidth - 4), height: 220 });
    }
  });

  // --- Events

  async function loadEvents() {
    const query = formQuery($('#event-search'));
    delete query.eventId;
    const events = await api('GET', 'events', query);
    fillRows($('#events-table tbody'), events.map((event) => el('tr', {},
      el('td', {}, when(event.receivedAt)),
      el('td', {}, el('a', { href: '#events/' + encodeURIComponent(event.eventId), class: 'mono', 'data-key': 'event:' + event.eventId }, event.eventId)),
      el('td', {}, event.eventType),
      el('td', { class: 'mono' }, event.vehicleId || dash()),
      el('td', {}, event.mode || dash()),
      el('td', {}, event.recognised ? 'yes' : badge('unrecognised', 'warn')))), 6, 'No event matches.');
  }

  async function loadEvent(eventId) {
    if ($('#event-title').textContent !== eventId) {
      // another event: nothing of the last one stays on the page while this one loads
      fill($('#event-facts'));
      fill($('#event-deliveries'));
      $('#event-payload-text').textContent = '';
      $('#event-payload').open = false;
    }
    $('#event-title').textContent = eventId;
    document.title = 'Event ' + eventId + ' · Smartcar bridge console';
    let event;
    try {
      event = await api('GET', 'events/' + encodeURIComponent(eventId));
    } catch (e) {
      if (e.status !== 404) throw e;
      fill($('#event-facts'));
      $('#event-payload').hidden = true;
      fill($('#event-deliveries'), el('p', {}, 'No event with this id is kept: it never arrived, or retention deleted it.'));
      return;
    }
    const facts = [['Type', event.eventType], ['Recognised', event.recognised ? 'yes' : 'no: stored, never forwarded'],
      event.repeatOf ? ['Repeat of', el('a', { href: '#events/' + encodeURIComponent(event.repeatOf), class: 'mono' }, event.repeatOf)] : null,
      event.signalTimeUnreadable ? ['Signal times', 'a signal time could not be read: that signal was not applied to the state'] : null,
      ['Vehicle', event.vehicleId], ['Event time', when(event.eventTime)], ['Received', when(event.receivedAt)],
      ['Mode', event.mode], ['Webhook', event.webhookId], ['Envelope version', event.envelopeVersion]];
    fill($('#event-facts'), facts.filter((fact) => fact).map(([term, value]) => el('div', {}, el('dt', {}, term), el('dd', {}, value || dash()))));
    $('#event-payload').hidden = false;
    $('#event-payload-text').textContent = JSON.stringify(event.payload, null, 2);
    fill($('#event-deliveries'), event.deliveries.length ? event.deliveries.map(deliveryOfEvent)
      : el('p', {}, event.repeatOf ? 'A repeat of ' + event.repeatOf + ', Smartcar\'s same error again: stored, not forwarded.'
        : event.recognised ? 'No destination wanted this event.' : 'Unrecognised events are never forwarded.'));
  }

  /** A delivery as the event answer has it: its attempts listed in attempts. */
  function deliveryOfEvent(delivery) {
    const attempts = delivery.attempts;
    return el('section', { class: 'delivery', 'aria-labelledby': 'delivery-' + delivery.id },
      el('h3', { id: 'delivery-' + delivery.id }, delivery.destination, statusBadge(delivery.status), delivery.replay ? badge('replay') : null),
      el('p', {}, 'Delivery ' + delivery.id + ', queued ', when(delivery.receivedAt), ', ' + plural(attempts.length, 'attempt'),
        delivery.finishedAt ? [', finished ', when(delivery.finishedAt)] : null,
        delivery.status === 'PENDING' && attempts.length ? [', next attempt ', when(delivery.nextAttemptAt)] : null, '.'),
      deliveryActions(delivery),
      table('Attempts of delivery ' + delivery.id, ['#Attempt', 'Started', '#Took (ms)', '#Status code', 'Outcome', 'Error'],
        attempts.map(attemptRow), 'Not attempted yet.'));
  }

  function attemptRow(attempt) {
    return el('tr', {},
      el('td', { class: 'number' }, attempt.attempt),
      el('td', {}, when(attempt.startedAt)),
      el('td', { class: 'number' }, attempt.durationMs),
      el('td', { class: 'number' }, attempt.statusCode === null ? dash() : attempt.statusCode),
      el('td', {}, statusBadge(attempt.outcome)),
      el('td', { class: 'error-text' }, attempt.error || dash()));
  }

  // --- Deliveries: replay and purge, on the event page, the dead letters page and the deliveries search

  function deliveryActions(delivery) {
    const actions = [];
    if (delivery.status === 'DEAD' || delivery.status === 'DELIVERED') {
      actions.push(button('Replay…', 'replay:' + delivery.id, () => act(
        ['Replay delivery ' + delivery.id + '?', 'The event ' + delivery.eventId + ' is sent to ' + delivery.destination
          + ' again, after the events of its vehicle that wait already, marked as a replay.', 'Replay'],
        () => api('POST', 'deliveries/' + delivery.id + '/replay'),
        () => 'Delivery ' + delivery.id + ' queued again for ' + delivery.destination + '.')));
    }
    if (delivery.status === 'DEAD') {
      actions.push(button('Purge…', 'purge:' + delivery.id, () => act(
        ['Purge dead letter ' + delivery.id + '?', 'The delivery of ' + delivery.eventId + ' to ' + delivery.destination
          + ' and its attempts are deleted for good. The event itself is kept.', 'Purge', true],
        () => api('DELETE', 'deliveries/' + delivery.id),
        () => 'Dead letter ' + delivery.id + ' purged.'), 'danger'));
    }
    return actions.length ? el('p', { class: 'actions' }, actions) : null;
  }

  function deliveryTable(caption, deliveries, withDestination) {
    const headings = ['Event', 'Type', 'Vehicle'].concat(withDestination ? ['Destination', 'Status'] : [])
      .concat(['#Attempts', '#Last status', 'Last error', withDestination ? 'Queued' : 'Dead since', 'Actions']);
    return table(caption, headings, deliveries.map((delivery) => el('tr', {},
      el('td', {}, el('a', { href: '#events/' + encodeURIComponent(delivery.eventId), class: 'mono' }, delivery.eventId)),
      el('td', {}, delivery.eventType),
      el('td', { class: 'mono' }, delivery.vehicleId || dash()),
      withDestination ? [el('td', {}, delivery.destination), el('td', {}, statusBadge(delivery.status), delivery.replay ? [' ', badge('replay')] : null)] : null,
      el('td', { class: 'number' }, delivery.attempts),
      el('td', { class: 'number' }, delivery.lastStatusCode === null ? dash() : delivery.lastStatusCode),
      el('td', { class: 'error-text' }, delivery.supersededBy ? ['superseded by ', el('a', { href: '#events/'
        + encodeURIComponent(delivery.supersededBy), class: 'mono' }, delivery.supersededBy)] : delivery.lastError || dash()),
      el('td', {}, when(withDestination ? delivery.receivedAt : delivery.finishedAt)),
      el('td', {}, deliveryActions(delivery) || dash()))), 'No delivery matches.');
  }

  // --- Dead letters

  async function loadDeadLetters() {
    const stats = await api('GET', 'stats', { window: '1m', step: '1m' });
    const sections = await Promise.all(stats.destinations.map(async (destination) => {
      const section = el('section', { class: 'destination-dead', 'aria-labelledby': 'dead-' + destination.name },
        el('h2', { id: 'dead-' + destination.name }, destination.name, ' ',
          badge(plural(destination.deadLetters, 'dead letter'), destination.deadLetters ? 'bad' : 'ok')));
      if (destination.deadLetters && destination.configured) {
        section.append(el('p', {}, button('Replay all ' + destination.deadLetters + '…', 'replay-dead:' + destination.name, () => act(
          ['Replay every dead letter of ' + destination.name + '?', 'The ' + plural(destination.deadLetters, 'dead letter')
            + ' of ' + destination.name + ' are sent again, each after the events of its vehicle that wait already.', 'Replay all'],
          () => api('POST', 'destinations/' + encodeURIComponent(destination.name) + '/replay-dead'),
          (body) => plural(body.replayed, 'dead letter') + ' of ' + destination.name + ' queued again.'))));
      }
      if (!destination.deadLetters) {
        section.append(el('p', {}, 'No dead letters.'));
        return section;
      }
      const dead = await api('GET', 'deliveries', { status: 'DEAD', destination: destination.name, limit: 100 });
      section.append(deliveryTable('Dead letters of ' + destination.name + (destination.deadLetters > dead.length
        ? ', the newest ' + dead.length + ' of ' + destination.deadLetters : ''), dead, false));
      return section;
    }));
    fill($('#dead-letters'), sections.length ? sections : el('p', {}, 'No destination is configured.'));
  }

  // --- Destinations

  async function loadDestinations() {
    const [described, stats] = await Promise.all([api('GET', 'destinations'), api('GET', 'stats', { window: '1m', step: '1m' })]);
    const health = new Map(described.map((destination) => [destination.name, destination]));
    fillRows($('#destinations-table tbody'), stats.destinations.map((destination) => {
      const engine = health.get(destination.name);
      return el('tr', {},
        el('th', { scope: 'row' }, engine ? el('a', { href: '#destinations/' + encodeURIComponent(destination.name) }, destination.name)
          : destination.name),
        el('td', {}, !engine ? badge('not configured', 'bad') : engine.healthy ? badge('healthy', 'ok')
          : destination.paused ? badge('paused', 'warn') : [badge('unhealthy', 'bad'), ' ', engine.problem || '']),
        el('td', {}, stateBadge(destination), destination.paused
          ? [destination.pausedReason ? ': ' + destination.pausedReason : '', destination.pausedAt ? [' (since ', when(destination.pausedAt), ')'] : null]
          : null),
        el('td', { class: 'number' }, destination.backlog),
        el('td', {}, destination.oldestPendingAgeSeconds === null ? dash() : duration(destination.oldestPendingAgeSeconds)),
        el('td', { class: 'number' }, destination.deadLetters ? el('a', { href: '#dead-letters' }, String(destination.deadLetters)) : '0'),
        el('td', {}, engine ? pauseOrResume(destination) : dash()));
    }), 7, 'No destination is configured: events are stored and nothing is forwarded.');
    const names = described.map((destination) => destination.name);
    setOptions($('#backfill-destination'), names);
    setOptions($('#delivery-destination'), stats.destinations.map((destination) => destination.name), 'All');
  }

  // --- One destination: its settings, and a try

  async function loadDestination(name) {
    if ($('#destination-title').textContent !== name) {
      fill($('#destination-facts'));
      fill($('#destination-settings tbody'));
      fill($('#try-result'));
    }
    $('#destination-title').textContent = name;
    document.title = 'Destination ' + name + ' · Smartcar bridge console';
    const destination = await api('GET', 'destinations/' + encodeURIComponent(name));
    fill($('#destination-facts'),
      el('div', {}, el('dt', {}, 'Sink'), el('dd', {}, destination.sink.kind)),
      el('div', {}, el('dt', {}, 'Endpoint'), el('dd', { class: 'mono' }, destination.sink.endpoint)),
      el('div', {}, el('dt', {}, 'State'), el('dd', {}, destination.paused ? badge('paused', 'warn')
        : destination.healthy ? badge('healthy', 'ok') : [badge('unhealthy', 'bad'), ' ', destination.problem || ''])),
      el('div', {}, el('dt', {}, 'Dead at once on'), el('dd', { class: 'mono' }, destination.sink.deadOn.join(', '))));
    fillRows($('#destination-settings tbody'), Object.entries(destination.settings).map(([key, value]) => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, key),
      el('td', { class: 'mono' }, value === null || value === '' || (Array.isArray(value) && !value.length) ? dash()
        : Array.isArray(value) ? value.join(', ') : String(value)))), 2, 'No settings.');
  }

  async function tryDestination(event) {
    event.preventDefault();
    const name = $('#destination-title').textContent;
    const form = $('#try-form');
    const delivery = form.elements.delivery.value.trim();
    const query = { send: form.elements.send.checked ? 'true' : 'false' };
    if (!delivery) query.type = form.elements.type.value;
    try {
      const tried = await api('POST', 'destinations/' + encodeURIComponent(name) + '/try', query, delivery || null);
      const outcome = tried.attempt;
      fill($('#try-result'),
        el('dl', { class: 'facts' },
          el('div', {}, el('dt', {}, 'Event'), el('dd', { class: 'mono' }, tried.eventType + ' ' + tried.eventId)),
          el('div', {}, el('dt', {}, 'Wanted'), el('dd', {}, tried.wanted ? 'yes' : 'no: ' + tried.notWantedBecause)),
          tried.failedAt ? el('div', {}, el('dt', {}, 'Failed at'), el('dd', { class: 'error-text' }, tried.failedAt + ': ' + tried.error)) : null,
          outcome ? el('div', {}, el('dt', {}, 'Sent'), el('dd', {}, statusBadge(outcome.outcome),
            outcome.statusCode ? ' HTTP ' + outcome.statusCode : '', outcome.error ? [' ', el('span', { class: 'error-text' }, outcome.error)] : '',
            ' in ' + outcome.durationMs + ' ms')) : null),
        tried.document === undefined ? null : el('pre', { class: 'document', id: 'try-document' },
          typeof tried.document === 'string' ? tried.document : JSON.stringify(tried.document, null, 2)));
      say(outcome ? 'Tried and sent: ' + outcome.outcome.toLowerCase() + '.' : 'Tried: the document is below.');
    } catch (e) {
      say(e.message, true);
    }
  }

  function pauseOrResume(destination) {
    const name = destination.name;
    const path = 'destinations/' + encodeURIComponent(name);
    if (destination.paused) {
      return button('Resume…', 'resume:' + name, () => act(
        ['Resume ' + name + '?', 'The bridge sends to ' + name + ' again: the ' + plural(destination.backlog, 'delivery', 'deliveries')
          + ' waiting go first, oldest first per vehicle.', 'Resume'],
        () => api('POST', path + '/resume'),
        (body) => body.resumed ? name + ' resumed.' : name + ' was not paused.'));
    }
    return button('Pause…', 'pause:' + name, () => act(
      ['Pause ' + name + '?', 'The bridge stops sending to ' + name + ' until it is resumed. Events keep being stored and '
        + 'queued for it; attempts already under way finish.', 'Pause', true],
      () => api('POST', path + '/pause'),
      (body) => body.paused ? name + ' paused.' : name + ' was paused already.'), 'danger');
  }

  async function backfill(event) {
    event.preventDefault();
    const form = event.target;
    const query = formQuery(form);
    if (!query.destination || !query.from || !query.to) {
      say('Choose a destination and both ends of the time window.', true);
      return;
    }
    if (query.from >= query.to) {
      say('The start of the window must come before its end.', true);
      return;
    }
    const window = new Date(query.from).toLocaleString() + ' and ' + new Date(query.to).toLocaleString();
    await act(['Backfill ' + query.destination + '?', 'The stored events received between ' + window + ' are queued for '
      + query.destination + ', as its event types and modes select them.', 'Backfill'],
    async () => {
      try {
        return await api('POST', 'destinations/' + encodeURIComponent(query.destination) + '/backfill', { from: query.from, to: query.to });
      } catch (e) {
        // the path is unknown to a bridge whose admin API has no backfill call
        if (e.status === 404 && e.message === 'no such path') throw new ApiError(404, 'this bridge\'s admin API has no backfill call.');
        throw e;
      }
    },
    (body) => 'Backfill for ' + query.destination + ' queued' + (summarise(body) ? ': ' + summarise(body) : '') + '.');
  }

  async function searchDeliveries(event) {
    event.preventDefault();
    try {
      const deliveries = await api('GET', 'deliveries', formQuery(event.target));
      fill($('#deliveries-result'), deliveryTable('Deliveries, newest first', deliveries, true));
    } catch (e) {
      if (e.status !== 401) say('Could not search deliveries: ' + e.message, true);
    }
  }

  // --- Connections and vehicles

  async function loadVehicles() {
    // all at once, so that nothing above the rows moves after they are drawn
    const [connections, vehicles, reconciliation] = await Promise.all([
      api('GET', 'connections', formQuery($('#connection-filter'))),
      api('GET', 'vehicles', formQuery($('#vehicle-filter'))),
      api('GET', 'vehicles/reconcile')]);
    showReconciliation(reconciliation);
    const now = new Date().toISOString();
    fillRows($('#connections-table tbody'), connections.connections.map((connection) => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, connection.userId),
      el('td', {}, connection.customerReference || dash()),
      el('td', {}, statusBadge(connection.status), connection.statusReason ? [' ', connection.statusReason] : null),
      el('td', { class: 'number' }, connection.vehicles),
      el('td', {}, when(connection.lastSyncedAt)),
      el('td', { class: 'error-text' }, connection.lastError ? [connection.lastError, ' (', when(connection.lastErrorAt), ')'] : dash()))),
    6, 'No connection: no owner has connected through /connect yet.');
    fillRows($('#vehicles-table tbody'), vehicles.vehicles.map((vehicle) => {
      // subscribed for a day, and no event for a day: the vehicle stopped reporting
      const silent = vehicle.subscriptionStatus === 'SUBSCRIBED' && vehicle.subscribedAt
        && secondsBetween(vehicle.subscribedAt, now) > SILENT_AFTER_SECONDS
        && (!vehicle.lastEventAt || secondsBetween(vehicle.lastEventAt, now) > SILENT_AFTER_SECONDS);
      return el('tr', { class: silent ? 'silent' : null },
        el('th', { scope: 'row', class: 'mono' }, el('a', { href: '#vehicles/' + encodeURIComponent(vehicle.vehicleId),
          'data-key': 'vehicle:' + vehicle.vehicleId }, vehicle.vehicleId)),
        el('td', {}, [vehicle.make, vehicle.model, vehicle.year].filter((part) => part !== null && part !== undefined).join(' ') || dash()),
        el('td', { class: 'mono' }, vehicle.userId || dash()),
        el('td', {}, statusBadge(vehicle.subscriptionStatus)),
        el('td', {}, vehicle.lastEventAt ? when(vehicle.lastEventAt) : 'none kept', silent ? [' ', badge('silent', 'warn')] : null),
        el('td', { class: 'error-text' }, vehicle.lastError ? [vehicle.lastError, ' (', when(vehicle.lastErrorAt), ')'] : dash()),
        el('td', {}, vehicle.subscriptionStatus === 'UNSUBSCRIBED' ? dash() : unsubscribe(vehicle)));
    }), 7, 'No vehicle is known yet.');
  }

  /** The last reconciliation with Smartcar, or why there is none (Smartcar API v2, Smartcar not configured). */
  function showReconciliation(run) {
    const available = run.available !== false;
    $('#reconciliation-note').hidden = available;
    $('#reconciliation-note').textContent = available ? '' : 'Not available: ' + run.message;
    $('#reconciliation-facts').hidden = !available;
    $('#run-reconcile').hidden = !available;
    if (!available) return;
    $('#run-reconcile').disabled = !!run.running;
    const figures = run.startedAt ? [run.vehiclesRead + ' of ' + run.vehiclesTotal + ' read', run.signalsNewer + ' signals newer',
      run.eventsStored + ' events stored', run.failures + ' failures'].join(', ') : 'never run';
    fill($('#reconciliation-facts'),
      el('div', {}, el('dt', {}, 'Last run'), el('dd', {}, run.running ? badge('running', 'warn') : run.startedAt ? when(run.finishedAt) : 'none',
        run.trigger ? el('small', {}, run.trigger === 'downtime' ? 'after a downtime since ' + new Date(run.downSince).toLocaleString()
          : 'asked by an operator') : null)),
      el('div', {}, el('dt', {}, 'Outcome'), el('dd', {}, figures, run.lastError ? el('small', {}, run.lastError) : null)));
  }

  function reconcile() {
    return act(['Reconcile with Smartcar now?', 'The bridge reads the signals of every subscribed vehicle from Smartcar, within '
      + 'Smartcar\'s rate limits (this can take a while), and stores those newer than the vehicle\'s state as reconciled events.',
    'Reconcile'],
    () => api('POST', 'vehicles/reconcile'),
    () => 'Reconciliation started: its progress shows on this page.');
  }

  // --- One vehicle: its state

  async function loadVehicle(vehicleId) {
    if ($('#vehicle-title').textContent !== vehicleId) {
      fill($('#vehicle-facts'));
      fill($('#vehicle-state-table tbody'));
    }
    $('#vehicle-title').textContent = vehicleId;
    document.title = 'Vehicle ' + vehicleId + ' · Smartcar bridge console';
    let state;
    try {
      state = await api('GET', 'vehicles/' + encodeURIComponent(vehicleId) + '/state');
    } catch (e) {
      if (e.status !== 404) throw e;
      fill($('#vehicle-facts'));
      fillRows($('#vehicle-state-table tbody'), [], 6, 'The bridge does not know this vehicle.');
      return;
    }
    fill($('#vehicle-facts'),
      el('div', {}, el('dt', {}, 'Signals'), el('dd', {}, String(state.signals.length))),
      el('div', {}, el('dt', {}, 'Freshest signal'), el('dd', {}, when(state.freshestSignalAt),
        state.freshestSignalAt ? el('small', {}, duration(secondsBetween(state.freshestSignalAt, state.generatedAt)) + ' ago') : null)));
    fillRows($('#vehicle-state-table tbody'), state.signals.map((signal) => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, signal.code),
      el('td', { class: 'signal-value' }, signalValue(signal)),
      el('td', {}, when(signal.oemUpdatedAt || signal.valueAt)),
      el('td', {}, when(signal.fetchedAt)),
      el('td', {}, signal.eventId ? el('a', { href: '#events/' + encodeURIComponent(signal.eventId), class: 'mono' }, signal.eventId) : dash()),
      el('td', { class: 'error-text' }, signalError(signal.error)))), 6, 'No signal of this vehicle has arrived yet.');
  }

  /** A signal's value as the body gives it: its value and unit, or the whole body as compact JSON. */
  function signalValue(signal) {
    const body = signal.value;
    if (body === null || body === undefined) return dash();
    if (typeof body === 'object' && !Array.isArray(body) && 'value' in body && Object.keys(body).every((key) => key === 'value' || key === 'unit')) {
      const value = typeof body.value === 'object' ? JSON.stringify(body.value) : String(body.value);
      return value + (signal.unit ? ' ' + signal.unit : '');
    }
    return el('code', {}, JSON.stringify(body));
  }

  function signalError(error) {
    if (!error) return dash();
    return [badge([error.type, error.code].filter((part) => part).join(' ') || 'error', error.current ? 'bad' : 'plain'), ' ',
      error.current ? 'since ' : 'before the value, ', when(error.at)];
  }

  function unsubscribe(vehicle) {
    const id = vehicle.vehicleId;
    return button('Unsubscribe…', 'unsubscribe:' + id, () => act(
      ['Unsubscribe vehicle ' + id + '?', 'The bridge asks Smartcar to stop sending this vehicle\'s events to the webhook. '
        + 'The sync leaves the vehicle alone from then on.', 'Unsubscribe', true],
      () => api('DELETE', 'vehicles/' + encodeURIComponent(id) + '/subscription'),
      () => 'Vehicle ' + id + ' unsubscribed.'), 'danger');
  }

  function runSync() {
    return act(['Run the subscription sync now?', 'The bridge lists the vehicles of every active connection at Smartcar and '
      + 'subscribes the new ones, as its timer does.', 'Run the sync'],
    () => api('POST', 'subscriptions/sync'),
    (body) => 'Sync done' + (summarise(body) ? ': ' + summarise(body) : '') + '.');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Signing in

  /** Without a token: is the admin API on at all? Its 401 says so when it is off. */
  async function probe() {
    showPage('loading');
    try {
      await call('GET', 'destinations');
      showSignIn();
    } catch (e) {
      if (e.reason === 'admin_api_disabled') showPage('admin-off');
      else if (e.status === 0) showPage('unreachable');
      else showSignIn();
    }
    visiblePage().querySelector('h1').focus();
    if (!$('#page-sign-in').hidden) $('#admin-token').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $('#admin-token');
    const candidate = input.value.trim();
    const error = $('#sign-in-error');
    if (!candidate) {
      error.textContent = 'Enter the admin token.';
      input.focus();
      return;
    }
    try {
      await call('GET', 'destinations', null, candidate);
    } catch (e) {
      if (e.reason === 'admin_api_disabled') {
        showPage('admin-off');
        return;
      }
      // a wrong token gets no hint of what was wrong with it
      error.textContent = e.status === 401 ? 'This token was not accepted.' : e.message;
      input.select();
      return;
    }
    input.value = '';
    error.textContent = '';
    sessionStorage.setItem(TOKEN_KEY, candidate);
    await navigate();
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(refreshTimer);
    say('');
    showSignIn('Signed out.');
  }

  // ---------------------------------------------------------------------------------------------------------------

  function start() {
    $('#sign-in-form').addEventListener('submit', signIn);
    $('#sign-out').addEventListener('click', signOut);
    $('#result-close').addEventListener('click', () => say(''));
    $('#event-search').addEventListener('submit', (event) => {
      event.preventDefault();
      const eventId = $('#event-id').value.trim();
      if (eventId) location.hash = '#events/' + encodeURIComponent(eventId);
      else refresh();
    });
    $('#event-search').addEventListener('reset', () => setTimeout(refresh));
    $('#events-live').addEventListener('change', () => $('#events-live').checked && refresh());
    $('#backfill-form').addEventListener('submit', backfill);
    $('#try-form').addEventListener('submit', tryDestination);
    $('#delivery-search').addEventListener('submit', searchDeliveries);
    $('#connection-filter').addEventListener('submit', (event) => { event.preventDefault(); refresh(); });
    $('#vehicle-filter').addEventListener('submit', (event) => { event.preventDefault(); refresh(); });
    $('#run-sync').addEventListener('click', runSync);
    $('#run-reconcile').addEventListener('click', reconcile);
    $('#refresh').addEventListener('click', refresh);
    $('[data-action="retry"]').addEventListener('click', probe);
    window.addEventListener('hashchange', navigate);
    navigate();
  }

  start();
}());
