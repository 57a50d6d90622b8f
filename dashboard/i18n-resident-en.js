// @ts-check
// English strings for: the alarm detail's resident card (photo placeholder, health data, access to the home).
export const residentEn = {
  "resident.photo": "No photo on file (placeholder)",
  "resident.conditions": "Conditions",
  "resident.medications": "Medications",
  "resident.allergies": "Allergies",
  "resident.mobility": "Mobility",
  "resident.keyHolder": "Key holder",
  "resident.accessNotes": "Access notes",
  "resident.none": "None recorded",
  "resident.loading": "Loading health details…",
  "resident.redacted": "Health details are not shown to your role.",
  "resident.error": "Health details could not be loaded",
};
