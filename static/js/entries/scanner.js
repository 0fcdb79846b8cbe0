// @ts-check
// In-app scanner: rear camera → BarcodeDetector where the browser has it, jsQR otherwise.
// jsQR (about 48 KB gzip) is loaded only when BarcodeDetector is missing or fails.
import { t, useMessagesOfPage } from '../shared/i18n.js';
import { classifyQrText } from '../shared/qr-target.js';

useMessagesOfPage(); // the scanner's words in the page's language

/**
 * A part the scan page always has (templates/capture/scan.html).
 * @template {Element} E
 * @param {string} selector
 * @param {{new (): E, prototype: E}} type
 * @returns {E}
 */
function part(selector, type) {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`The scan page has no ${selector}`);
  return element;
}

const root = part('.scanner', HTMLElement);
const video = part('#scanner-video', HTMLVideoElement);
const statusLine = part('#scanner-status', HTMLElement);
const startButton = part('#scanner-start', HTMLElement);
const stopButton = part('#scanner-stop', HTMLElement);
const codeInput = part('#code', HTMLInputElement);
const origins = [window.location.origin, root.dataset.publicOrigin || ''].filter(Boolean);
const canvas = document.createElement('canvas');
// a new canvas always gives a 2d context (null only for one already taken by another kind)
const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));

/** @type {MediaStream | null} */
let stream = null;
/** @type {import('../shared/types').BarcodeDetector | null} */
let detector = null;
/** @type {number | undefined} */
let timer;
let lastRejected = '';

/**
 * @param {string} message
 * @param {'' | 'ok' | 'warn'} [tone]
 */
function say(message, tone = '') {
  statusLine.textContent = message;
  statusLine.dataset.tone = tone;
}

/** @type {Promise<typeof import('jsqr').default> | null} */
let loadingJsQR = null;

/** jsQR, fetched the first time a frame needs it (esbuild puts it in a chunk of its own). */
function jsQRDecoder() {
  loadingJsQR ||= import('jsqr').then(
    (module) => module.default,
    (error) => {
      loadingJsQR = null; // try again with the next frame
      throw error;
    },
  );
  return loadingJsQR;
}

/** Decode a QR code from pixels with jsQR (the path every browser has).
 * @param {ImageData} imageData
 */
export async function decodeImageData(imageData) {
  const jsQR = await jsQRDecoder();
  const found = jsQR(imageData.data, imageData.width, imageData.height, {
    inversionAttempts: 'attemptBoth',
  });
  return found ? found.data : null;
}

async function makeDetector() {
  const Detector = window.BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = await Detector.getSupportedFormats();
    return formats.includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

async function readFrame() {
  if (!video.videoWidth) return null;
  if (detector) {
    try {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    } catch {
      detector = null; // "not implemented" on some platforms: use jsQR from now on
    }
  }
  const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  return decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height));
}

/** @param {string} text what a QR code said */
function handle(text) {
  const target = classifyQrText(text, origins);
  if (target.kind === 'area') {
    say(t('Label found — opening the area…'), 'ok');
    stop();
    window.location.assign(`${target.path}?scan=in_app`);
    return;
  }
  if (text === lastRejected) return;
  lastRejected = text;
  if (target.kind === 'other-server') {
    say(t('This label belongs to another Gemba Walk (%(host)s), not this one.', { host: target.host }), 'warn');
  } else {
    say(t('This QR code is not a Gemba Walk area label. Try the label posted in the area.'), 'warn');
  }
}

async function tick() {
  const text = await readFrame().catch(() => null);
  if (text) handle(text);
  if (stream) timer = window.setTimeout(tick, 150);
}

/** @param {unknown} error what getUserMedia refused with (null: no camera API at all) */
function explainCameraError(error) {
  if (/** @type {{name?: string} | null} */ (error)?.name === 'NotAllowedError') {
    say(
      t(
        'Camera access was refused. Allow the camera for this site in the browser settings, ' +
          'or type the area code below.',
      ),
      'warn',
    );
  } else if (!window.isSecureContext) {
    say(t('The camera only works over HTTPS. Type the area code below instead.'), 'warn');
  } else {
    say(t('No camera is available on this device. Type the area code below instead.'), 'warn');
  }
  codeInput.focus();
}

async function start() {
  if (!navigator.mediaDevices?.getUserMedia) {
    explainCameraError(null);
    return;
  }
  say(t('Starting the camera…'));
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' } },
      audio: false,
    });
  } catch (error) {
    stream = null;
    explainCameraError(error);
    return;
  }
  detector = await makeDetector();
  if (!detector) jsQRDecoder().catch(() => {}); // fetch it while the camera starts
  video.srcObject = stream;
  await video.play().catch(() => {});
  root.classList.add('scanner--live');
  startButton.hidden = true;
  stopButton.hidden = false;
  say(t('Point the camera at the QR label.'));
  tick();
}

function stop() {
  window.clearTimeout(timer);
  for (const track of stream?.getTracks() || []) track.stop();
  stream = null;
  video.srcObject = null;
  root.classList.remove('scanner--live');
  startButton.hidden = false;
  stopButton.hidden = true;
}

startButton.addEventListener('click', start);
stopButton.addEventListener('click', () => {
  stop();
  say(t('Camera stopped.'));
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden) stop();
});
// Exposed for tests and for decoding a photo of a label.
window.gembaScanner = {
  decodeImageData,
  classifyQrText: (/** @type {string} */ text) => classifyQrText(text, origins),
};

// A typed code opens the area from the field pack on this phone — offline too — in any case,
// with or without its hyphen. A code the pack does not know goes to the server, which answers
// with the same rule (or says it knows no such area).
const codeForm = document.querySelector('form.code-form');
codeForm?.addEventListener('submit', async (event) => {
  if (!(codeForm instanceof HTMLFormElement)) return;
  const typed = codeInput.value;
  if (!typed.trim()) return;
  event.preventDefault();
  /** @type {import('../shared/types').Area[]} */
  let areas = [];
  try {
    const [{ loadPack }, { areaCodeKey }] = await Promise.all([
      import('../offline/pack.js'),
      import('../shared/rules.js'),
    ]);
    const pack = await loadPack();
    areas = (pack?.areas || []).filter((area) => areaCodeKey(area.code) === areaCodeKey(typed));
  } catch {
    areas = [];
  }
  if (areas.length === 1) {
    window.location.assign(`/a/${areas[0].token}?via=code`);
  } else if (!navigator.onLine && !areas.length) {
    say(
      t('No area with the code %(code)s is in the field data on this phone. Check the label.', {
        code: typed.trim().toUpperCase(),
      }),
      'warn',
    );
    codeInput.focus();
  } else {
    codeForm.submit();
  }
});
