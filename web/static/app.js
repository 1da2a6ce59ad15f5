// app.js — small progressive enhancements of the dashboard; every page
// works without it. The live preview of the branding, the margin
// calculator (same integer rounding as src/core/money.c), color pickers
// kept in step with their text fields, and the organization switcher that
// switches as soon as an organization is chosen.
'use strict';

document.documentElement.classList.add('js');

const HEX = /^#[0-9a-fA-F]{6}$/;
const URL_RE = /^https?:\/\/[A-Za-z0-9.\-\[\]:]+(\/[^\s"'<>`\\]*)?$/i;

// Half-up (away from zero) integer division, as div_round in money.c.
function divRound(num, den) {
  const q = Math.floor((2 * Math.abs(num) + den) / (2 * den));
  return num < 0 ? -q : q;
}

function money(cents, symbol) {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return `${neg ? '−' : ''}${symbol}${text}`;
}

function marginPercent(price, cost) {
  if (price === 0) return '0';
  const tenths = divRound((price - cost) * 1000, price);
  if (tenths === 0) return '0';
  const abs = Math.abs(tenths);
  const frac = abs % 10;
  return `${tenths < 0 ? '-' : ''}${Math.floor(abs / 10)}${frac ? '.' + frac : ''}`;
}

function wholeNumber(text) {
  return /^\s*\d{1,10}\s*$/.test(text) ? parseInt(text, 10) : null;
}

function setupPreview() {
  const preview = document.getElementById('wl-preview');
  if (!preview) return;
  const form = document.getElementById('branding-form');
  const name = document.getElementById('pv-name');
  const logo = document.getElementById('pv-logo');
  const field = (what) => form.querySelector(`[data-preview="${what}"]`);
  const update = () => {
    const n = field('name').value.trim();
    name.textContent = n || 'Your company';
    const p = field('primary').value.trim();
    if (HEX.test(p)) preview.style.setProperty('--wl-primary', p);
    const a = field('accent').value.trim();
    if (HEX.test(a)) preview.style.setProperty('--wl-accent', a);
    const u = field('logo').value.trim();
    if (URL_RE.test(u)) {
      if (logo.getAttribute('src') !== u) logo.setAttribute('src', u);
      logo.hidden = false;
    } else {
      logo.hidden = true;
    }
  };
  form.addEventListener('input', update);
  // color pickers and their text fields follow each other
  for (const picker of form.querySelectorAll('input[type=color][data-color-for]')) {
    const text = form.querySelector(`[name="${picker.dataset.colorFor}"]`);
    picker.addEventListener('input', () => { text.value = picker.value.toUpperCase(); update(); });
    text.addEventListener('input', () => { if (HEX.test(text.value.trim())) picker.value = text.value.trim().toLowerCase(); });
    if (HEX.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
  }
  update();
}

// "EUR:1000000,USD:1080000" -> { EUR: 1000000, USD: 1080000 } (units per
// EUR in parts per million, as the server keeps them).
function parseRates(text) {
  const rates = { EUR: 1000000 };
  for (const item of (text || '').split(',')) {
    const [cur, ppm] = item.split(':');
    if (/^[A-Z]{3}$/.test(cur) && /^\d{1,10}$/.test(ppm || '')) rates[cur] = parseInt(ppm, 10);
  }
  return rates;
}

// A ppm rate as text without trailing zeros: 1080000 -> "1.08".
function rateText(ppm) {
  const frac = String(ppm % 1000000).padStart(6, '0').replace(/0+$/, '');
  return `${Math.floor(ppm / 1000000)}${frac ? '.' + frac : ''}`;
}

function setupMargin() {
  const box = document.getElementById('margin');
  const form = document.getElementById('package-form');
  if (!box || !form) return;
  const micro = parseInt(box.dataset.micro, 10) || 70000;
  const rates = parseRates(box.dataset.rates);
  const symbols = { EUR: '€', USD: '$', GBP: '£' };
  const out = (id) => document.getElementById(id);
  const update = () => {
    const credits = wholeNumber(form.querySelector('[data-margin="credits"]').value);
    const price = wholeNumber(form.querySelector('[data-margin="price"]').value);
    const currency = form.querySelector('[data-margin="currency"]').value;
    const symbol = symbols[currency] || '€';
    const rate = rates[currency];
    out('price-money').textContent = price === null ? '' : money(price, symbol);
    out('m-rate').textContent = currency === 'EUR' ? 'none (priced in EUR)'
      : rate ? `1 EUR = ${rateText(rate)} ${currency}` : '—';
    if (credits === null || price === null || credits < 1 || !rate) {
      for (const id of ['m-price', 'm-cost', 'm-profit', 'm-margin']) out(id).textContent = '—';
      out('m-warning').hidden = true;
      return;
    }
    // As wl_credits_cost_converted: credits × micro-euros × ppm, one
    // rounding to minor units. BigInt: the product passes 2^53.
    const num = BigInt(credits) * BigInt(micro) * BigInt(rate);
    const den = 10000n * 1000000n;
    const cost = Number((2n * num + den) / (2n * den));
    const costEur = divRound(credits * micro, 10000);
    const profit = price - cost;
    out('m-price').textContent = money(price, symbol);
    out('m-cost').textContent = money(cost, symbol);
    out('m-cost-note').textContent = `(${credits} × €${(micro / 1e6).toFixed(2)} = ${money(costEur, '€')})`;
    out('m-profit').textContent = money(profit, symbol);
    out('m-margin').textContent = `${marginPercent(price, cost)}%`;
    out('m-warning').hidden = !(price < cost);
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
}

function setupAutosubmit() {
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form.submit());
  }
}

setupPreview();
setupMargin();
setupAutosubmit();

// Copy buttons beside the DNS records (the values are selectable anyway).
function setupCopy() {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = 'Copied';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(button.previousElementSibling);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
    });
  }
}

setupCopy();
