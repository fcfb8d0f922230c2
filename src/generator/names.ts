/**
 * Person names from @faker-js/faker's English data (its en_GB locale has no person names),
 * through a private Faker instance whose randomizer is our seeded stream. Each person's name comes
 * from a stream derived from the run's `names` stream and the person's MRN, so names are
 * generated lazily (only for people who are admitted) and never depend on the order of admissions.
 */
// The en locale's module only (the package's main entry loads every locale: ~150 ms at start-up).
import { faker as fakerEn } from '@faker-js/faker/locale/en';
import type { Faker } from '@faker-js/faker';
import type { Rng } from '../core/random.js';
import { asciiUpper } from './people.js';

/** Draws "FORENAME SURNAME" names, upper case, 7-bit ASCII. */
export class NameSource {
  private current: Rng;
  private readonly faker: Faker;

  constructor(private readonly names: Rng) {
    this.current = names;
    // Faker asks its randomizer for numbers only; seeding is ours (per person, below).
    const randomizer = { next: (): number => this.current.next(), seed: (): void => {} };
    // A private instance (not the module's shared one) with the en definitions and our randomizer.
    const FakerClass = fakerEn.constructor as typeof Faker;
    this.faker = new FakerClass({ locale: fakerEn.rawDefinitions, randomizer });
  }

  /** The name of the person with this MRN and sex (the same for the same run seed and MRN). */
  name(mrn: number, female: boolean): string {
    this.current = this.names.stream(String(mrn));
    const forename = this.faker.person.firstName(female ? 'female' : 'male');
    const surname = this.faker.person.lastName();
    return asciiUpper(`${forename} ${surname}`);
  }
}
