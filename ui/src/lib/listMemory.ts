// Where the customer list was (filters, scroll, selected row), so coming back from a 360 lands
// on the same spot.
export const listMemory = {
  query: '',
  stageId: '',
  ownerId: '',
  tag: '',
  province: '',
  active: 0,
  scrollTop: 0
};
