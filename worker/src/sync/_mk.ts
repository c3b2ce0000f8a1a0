import { SimControl } from "@coffer/test/m365-sim/src/client";

const ctl = new SimControl({ url: process.argv[2]!, caFile: "/tmp/cm/sim/ca.pem" });
await ctl.setFaults({ throttle: false });
for (let i = 0; i < 4; i++) {
  const upn = `bulk${i}@contoso-demo.com`;
  await ctl.createUser({ userPrincipalName: upn, displayName: `Bulk ${i}` }).catch(() => {});
  console.log(await ctl.largeMailbox(upn, { seed: i + 1, messages: 2500 }));
}
ctl.close();
