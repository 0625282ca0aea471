// Tables reflow as cards on narrow screens (cedula.css): each body cell gets its column's
// name as data-label, shown before the value when the header row is hidden. Loaded on every
// page (base.html); a cell that already has a data-label keeps it.

for (const table of document.querySelectorAll("table")) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) continue;
  const names = [];
  for (const cell of head.cells) {
    for (let i = 0; i < cell.colSpan; i += 1) names.push(cell.textContent.trim());
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        const name = names[column];
        // A row header names its row: no label before it.
        if (name && !cell.dataset.label && !(cell.tagName === "TH" && cell.scope === "row")) {
          cell.dataset.label = name;
        }
        column += cell.colSpan;
      }
    }
  }
}
