/** Age in whole years on a given day, from an ISO birth date (UTC calendar). */
export function ageOn(birthDate: string, at: Date): number {
  const birth = new Date(birthDate);
  let age = at.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    at.getUTCMonth() < birth.getUTCMonth() ||
    (at.getUTCMonth() === birth.getUTCMonth() && at.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}
