/** A count with its noun: "1 item", "2 items"; `count` may come formatted ("1", "0.5"). */
export function plural(count: number | string, one: string, many = `${one}s`): string {
  return `${count} ${Number(count) === 1 ? one : many}`;
}
