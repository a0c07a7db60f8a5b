/** A table's header row: one `<th scope="col">` per column; `false` leaves a column out (e.g. actions for managers only). */
export type Column = string | { label: string; className: string } | false;

export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, i) => {
          if (column === false) return null;
          const { label, className } = typeof column === 'string' ? { label: column, className: undefined } : column;
          return (
            <th key={i} scope="col" className={className}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
