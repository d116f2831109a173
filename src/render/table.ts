// cli-table3 with a compact style; no colour codes in borders so output pipes cleanly.
import Table from 'cli-table3';

export function makeTable(head: string[], color: boolean): Table.Table {
  return new Table({
    head,
    style: { head: color ? ['bold'] : [], border: [], compact: true },
    wordWrap: true,
  });
}
