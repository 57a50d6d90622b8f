import Type from "typebox";

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

export const UserBody = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  displayName: Type.String(),
  language: Type.String(),
});
