// @ts-check
// The auditor's signature, drawn with a finger at the end of an audit: a small PNG kept in the
// draft (IndexedDB, offline) and sent inside the audit record. Optional: no signature, no field.
import { saveDraft } from '../../offline/drafts.js';
import { t } from '../../shared/i18n.js';
import { h } from '../../shared/ui.js';

export const SIGNATURE_WIDTH = 600;
export const SIGNATURE_HEIGHT = 200;

/**
 * @param {string} base64
 * @param {string} type
 */
function base64ToBlob(base64, type) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}

/**
 * A finger (or pen, or mouse) draws on the canvas; `signed` runs when a stroke ends.
 * @param {HTMLCanvasElement} canvas
 * @param {CanvasRenderingContext2D} context
 * @param {() => Promise<void>} signed
 */
function listenForStrokes(canvas, context, signed) {
  /** @type {[number, number] | null} */
  let last = null;
  let drew = false;
  /** @returns {[number, number]} */
  const point = (/** @type {PointerEvent} */ event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  const line = (/** @type {[number, number]} */ from, /** @type {[number, number]} */ to) => {
    context.strokeStyle = '#111111';
    context.lineWidth = 4;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from[0], from[1]);
    context.lineTo(to[0] + 0.01, to[1]);
    context.stroke();
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture?.(event.pointerId);
    last = point(event);
    line(last, last);
    drew = true;
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    event.preventDefault();
    const at = point(event);
    line(last, at);
    last = at;
  });
  const finish = async () => {
    if (!last) return;
    last = null;
    if (!drew) return;
    drew = false;
    await signed();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
}

/** The "Sign this audit" card: a canvas to sign on, and a button to clear it and sign again. */
/** @param {import('../../shared/types').Draft} draft */
export function signaturePad(draft) {
  const canvas = h('canvas', {
    className: 'signature-pad__canvas',
    id: 'signature-canvas',
    width: SIGNATURE_WIDTH,
    height: SIGNATURE_HEIGHT,
    role: 'img',
    'aria-label': t('Signature area: sign here with your finger'),
  });
  // a new canvas always gives a 2d context (null only for one already taken by another kind)
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const status = h('p', { className: 'hint signature-pad__status', role: 'status' });
  const clear = h(
    'button',
    {
      type: 'button',
      className: 'button button--quiet signature-pad__clear',
      onclick: async () => {
        context.clearRect(0, 0, canvas.width, canvas.height);
        delete draft.signature_png;
        await saveDraft(draft);
        show();
      },
    },
    t('Clear and sign again'),
  );
  const show = () => {
    const signed = Boolean(draft.signature_png);
    status.textContent = signed
      ? t('Signed. The signature is printed on the audit report.')
      : t('Not signed. The audit can be sent without a signature.');
    clear.disabled = !signed;
  };

  listenForStrokes(canvas, context, async () => {
    draft.signature_png = canvas.toDataURL('image/png').split(',')[1];
    await saveDraft(draft);
    show();
  });

  if (draft.signature_png) {
    // Back from the draft (a reload, a restart): draw it again.
    createImageBitmap(base64ToBlob(draft.signature_png, 'image/png'))
      .then((bitmap) => {
        context.drawImage(bitmap, 0, 0);
        bitmap.close();
      })
      .catch(() => {});
  }
  show();
  return h(
    'section',
    { className: 'card signature-pad', id: 'signature' },
    h('h2', {}, t('Sign this audit (optional)')),
    h('p', { className: 'muted' }, t('Sign with your finger. Your name is printed under it on the report.')),
    h('div', { className: 'signature-pad__frame' }, canvas),
    status,
    clear,
  );
}
