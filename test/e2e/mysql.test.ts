// mysql2 unchanged over the runtime's `net`: deployed from this repository's node_modules, it talks to a
// MariaDB server this test starts (Debian's, on a free port in a temp dir); the handler runs in Lambent and
// in this Node process on the same event, and the answers are compared. The egress policy opens loopback
// for it, as an operator opens a database's address.
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startMariaDb, type MariaDb } from "../fixtures/mariadb.js";
import { packageTree } from "../fixtures/package-tree.js";

const nodeRequire = createRequire(import.meta.url);

let cluster: TestCluster;
let lambda: LambdaClient;
let mariadb: MariaDb;

const source = `const mysql = require("mysql2/promise");
exports.handler = async (event) => {
  const settings = { host: "127.0.0.1", port: event.port, user: event.user, password: event.password, database: event.database, dateStrings: true };
  const connection = await mysql.createConnection(settings);
  const table = "items_" + event.suffix;
  try {
    await connection.query("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2), added DATETIME, note TEXT)");
    for (const [id, name, price] of [[1, "kettle", 25.5], [2, "mug", 7.25], [3, "teapot ☕", 31]]) {
      await connection.execute("REPLACE INTO " + table + " VALUES (?, ?, ?, ?, ?)", [id, name, price, "2024-03-05 10:04:00", "x".repeat(id * 20000)]);
    }
    const [rows, fields] = await connection.query("SELECT id, name, price, added, LENGTH(note) AS noteLength FROM " + table + " WHERE id >= ? ORDER BY id", [2]);
    const [[sum]] = await connection.execute("SELECT COUNT(*) AS n, SUM(price) AS total FROM " + table);
    let failure;
    try { await connection.query("SELECT * FROM nowhere"); } catch (error) { failure = [error.code, error.errno, error.sqlState]; }
    await connection.beginTransaction();
    await connection.query("DELETE FROM " + table + " WHERE id = 1");
    await connection.rollback();
    const [[after]] = await connection.query("SELECT COUNT(*) AS n FROM " + table);
    const pool = mysql.createPool({ ...settings, connectionLimit: 2 });
    const pooled = await Promise.all([1, 2, 3].map((n) => pool.query("SELECT ? * 2 AS doubled", [n]).then(([[row]]) => row.doubled)));
    await pool.end();
    return { rows, fieldNames: fields.map((field) => field.name), sum, failure, afterRollback: after.n, pooled };
  } finally {
    await connection.end();
  }
};`;

beforeAll(async () => {
  mariadb = await startMariaDb();
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await mariadb?.close();
});

async function inNode(event: unknown): Promise<unknown> {
  const module = { exports: {} as { handler?: (event: unknown) => Promise<unknown> } };
  new Function("require", "module", "exports", source)(nodeRequire, module, module.exports);
  return JSON.parse(JSON.stringify(await module.exports.handler!(event)));
}

describe("mysql2 against MariaDB", () => {
  it("queries, prepared statements, transactions, errors and a pool give Node's answers", async () => {
    await createTestFunction(lambda, "mysql2", zipFiles({ "index.js": source, ...packageTree(["mysql2"]) }), { Timeout: 30 });
    const event = (suffix: string) => ({ port: mariadb.port, user: mariadb.user, password: mariadb.password, database: mariadb.database, suffix });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "mysql2", Payload: JSON.stringify(event("lambent")) }));
    const payload = Buffer.from(out.Payload!).toString();
    expect(out.FunctionError, payload).toBeUndefined();
    const answer = JSON.parse(payload) as unknown;
    expect(answer).toEqual(await inNode(event("node")));
    expect(answer).toMatchObject({ rows: [{ id: 2, name: "mug", price: "7.25", noteLength: 40000 }, { id: 3, name: "teapot ☕" }], failure: ["ER_NO_SUCH_TABLE", 1146, "42S02"], afterRollback: 3, pooled: [2, 4, 6] });
  });
});
