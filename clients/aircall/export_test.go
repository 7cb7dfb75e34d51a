package aircall

// DecodeActionItemsForTest exposes the action-items decoder to the
// external test package.
var DecodeActionItemsForTest = decodeActionItems
