// @ts-check
// What the checklist screen shows beside the draft: the pack's vocabulary and the area's open
// tickets. renderChecklist makes one per screen and hands it to the panels it builds (nothing
// is kept between screens).

/** @typedef {import('../../shared/types').Vocabulary} Vocabulary */
/** @typedef {import('../../shared/types').OpenTicket} OpenTicket */
/** @typedef {import('../../shared/types').Pack} Pack */
/** @typedef {import('../../shared/types').Draft} Draft */

/**
 * @typedef {object} ChecklistContext
 * @property {Vocabulary} vocabulary the pack's words for pillars, wastes, categories, severities
 * @property {OpenTicket[]} tickets the area's open tickets ("same problem as …")
 */

/** @type {Vocabulary} */
const NO_VOCABULARY = {
  pillars: [],
  wastes: [],
  abnormality_categories: [],
  severities: [],
  ticket_statuses: [],
  score_levels: [],
};

/**
 * The context of one checklist screen, made from the pack the phone holds.
 * @param {Pack | null | undefined} pack
 * @param {Draft} draft
 * @returns {Readonly<ChecklistContext>}
 */
export function checklistContext(pack, draft) {
  return Object.freeze({
    vocabulary: pack?.vocabulary || NO_VOCABULARY,
    tickets: pack?.areas?.find((area) => area.id === draft.area.id)?.open_tickets || [],
  });
}
