// @ts-check
// The offline page is precached once for everyone on the device, so its HTML is English; its
// words come from the field pack on the phone (the language of the person whose pack it holds),
// as the capture shell's do (docs/I18N.md). Without a pack the page stays in English.

import { loadPack } from '../offline/pack.js';
import { N_, translateMarked, useMessages } from '../shared/i18n.js';

// The page's words (each element marked data-t holds its English text), for the js catalog.
N_('Offline');
N_('You are offline');
N_('This page was not saved on the phone. Audits, drafts and the outbox work without a network:');
N_('Drafts');
N_('Outbox');

loadPack()
  .then((pack) => {
    if (!pack) return;
    useMessages(pack);
    translateMarked();
  })
  .catch(() => {
    // No storage on this phone (private mode): the page stays in English.
  });
