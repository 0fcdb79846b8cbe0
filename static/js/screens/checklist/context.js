// What the checklist screen shows beside the draft: the pack's vocabulary and the area's open
// tickets. Set by renderChecklist, read by the panels it builds.
export const screen = {
  vocabulary: { pillars: [], wastes: [], abnormality_categories: [], severities: [] },
  tickets: [],
};
