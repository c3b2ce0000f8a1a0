import { Audiences } from "./audiences";
import { Hero } from "./hero";
import { HowItWorks } from "./how-it-works";
import { OnThisServer } from "./on-this-server";

export function HomePage() {
  return (
    <>
      <Hero />
      <Audiences />
      <HowItWorks />
      <OnThisServer />
    </>
  );
}
