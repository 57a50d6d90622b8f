/** Small TypeBox helpers the console contract's schemas share. */
import Type from "typebox";

/** `T` or null: a field the hub always sends, empty as null rather than missing. */
export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
