//! Input values: checking argument literals and variable usages against their declared
//! types ([`LiteralCheck`]), and coercing the request's JSON `variables`
//! ([`coerce_variables`]). Messages follow graphql-js, which monday's validator uses.

use std::collections::{HashMap, HashSet};

use async_graphql_parser::types::{BaseType, OperationDefinition, Type};
use async_graphql_value::indexmap::IndexMap;
use async_graphql_value::{ConstValue, Name, Value};

use super::errors::GqlError;
use super::schema::{named, ArgDef, Kind, Schema};

/// Coerced variable values (defaults applied).
pub type Vars = HashMap<String, ConstValue>;

/// Checks literals of one operation, remembering which variables were used.
pub struct LiteralCheck {
    /// Declared variables: type and whether a default is given.
    pub defs: HashMap<String, (Type, bool)>,
    pub used: HashSet<String>,
}

impl LiteralCheck {
    /// For the variables declared by `op`.
    pub fn new(op: &OperationDefinition) -> Self {
        let defs = op
            .variable_definitions
            .iter()
            .map(|d| {
                let default = d
                    .node
                    .default_value
                    .as_ref()
                    .is_some_and(|v| v.node != ConstValue::Null);
                (
                    d.node.name.node.to_string(),
                    (d.node.var_type.node.clone(), default),
                )
            })
            .collect();
        LiteralCheck {
            defs,
            used: HashSet::new(),
        }
    }

    /// Error messages for literal `v` in a position of type `ty` (`loc_default`: the position
    /// has a default value, which lets a nullable variable fill a non-null position).
    pub fn check(&mut self, v: &Value, ty: &Type, loc_default: bool) -> Vec<String> {
        let mut out = vec![];
        self.walk(v, ty, loc_default, &mut out);
        out
    }

    fn walk(&mut self, v: &Value, ty: &Type, loc_default: bool, out: &mut Vec<String>) {
        match (v, &ty.base) {
            (Value::Variable(n), _) => self.variable(n, ty, loc_default, out),
            (Value::Null, _) if !ty.nullable => {
                out.push(format!("Expected value of type \"{ty}\", found null."))
            }
            (Value::Null, _) => {}
            (Value::List(xs), BaseType::List(inner)) => {
                xs.iter().for_each(|x| self.walk(x, inner, false, out))
            }
            (one, BaseType::List(inner)) => self.walk(one, inner, false, out),
            (v, BaseType::Named(n)) => self.named(v, n.as_str(), out),
        }
    }

    fn variable(&mut self, n: &Name, ty: &Type, loc_default: bool, out: &mut Vec<String>) {
        self.used.insert(n.to_string());
        let Some((var_ty, var_default)) = self.defs.get(n.as_str()) else {
            return out.push(format!("Variable \"${n}\" is not defined."));
        };
        let ok = if !ty.nullable && var_ty.nullable && (*var_default || loc_default) {
            is_subtype(var_ty, &nullable(ty))
        } else {
            is_subtype(var_ty, ty)
        };
        if !ok {
            out.push(format!(
                "Variable \"${n}\" of type \"{var_ty}\" used in position expecting type \"{ty}\"."
            ));
        }
    }

    fn named(&mut self, v: &Value, name: &str, out: &mut Vec<String>) {
        let Some(def) = Schema::get().ty(name) else {
            return;
        };
        match (&def.kind, v) {
            (Kind::Input, Value::Object(map)) => self.object(name, &def.input_fields, map, out),
            (Kind::Input, other) => {
                out.push(format!("Expected value of type \"{name}\", found {other}."))
            }
            (Kind::Enum(values), Value::Enum(e)) if !values.iter().any(|x| x == e.as_str()) => {
                out.push(format!("Value \"{e}\" does not exist in \"{name}\" enum."))
            }
            (Kind::Enum(_), Value::Enum(_)) => {}
            (Kind::Enum(_), other) => out.push(format!(
                "Enum \"{name}\" cannot represent non-enum value: {other}."
            )),
            _ if !scalar_ok(name, v) => out.push(scalar_message(name, v)),
            _ => self.nested_vars(v),
        }
    }

    /// Variables inside custom-scalar literals (e.g. `compare_value: [$t]`) count as used.
    fn nested_vars(&mut self, v: &Value) {
        match v {
            Value::Variable(n) => {
                self.used.insert(n.to_string());
            }
            Value::List(xs) => xs.iter().for_each(|x| self.nested_vars(x)),
            Value::Object(m) => m.values().for_each(|x| self.nested_vars(x)),
            _ => {}
        }
    }

    fn object(
        &mut self,
        name: &str,
        fields: &[ArgDef],
        map: &IndexMap<Name, Value>,
        out: &mut Vec<String>,
    ) {
        for k in map
            .keys()
            .filter(|k| !fields.iter().any(|f| f.name == k.as_str()))
        {
            out.push(format!("Field \"{k}\" is not defined by type \"{name}\"."));
        }
        for f in fields {
            match map.get(f.name.as_str()) {
                Some(v) => self.walk(v, &f.ty, f.default.is_some(), out),
                None if !f.ty.nullable && f.default.is_none() => out.push(format!(
                    "Field \"{name}.{}\" of required type \"{}\" was not provided.",
                    f.name, f.ty
                )),
                None => {}
            }
        }
    }
}

fn nullable(ty: &Type) -> Type {
    Type {
        base: ty.base.clone(),
        nullable: true,
    }
}

/// graphql-js `isTypeSubTypeOf` for variable usages.
fn is_subtype(var: &Type, loc: &Type) -> bool {
    if !loc.nullable {
        return !var.nullable && is_subtype(&nullable(var), &nullable(loc));
    }
    if !var.nullable {
        return is_subtype(&nullable(var), loc);
    }
    match (&var.base, &loc.base) {
        (BaseType::List(v), BaseType::List(l)) => is_subtype(v, l),
        (BaseType::Named(v), BaseType::Named(l)) => v == l,
        _ => false,
    }
}

fn scalar_ok(name: &str, v: &Value) -> bool {
    match (name, v) {
        ("ID" | "String", Value::String(_)) => true,
        ("ID", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("Int", Value::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        ("Float", Value::Number(_)) | ("Boolean", Value::Boolean(_)) => true,
        ("ID" | "String" | "Int" | "Float" | "Boolean", _) => false,
        _ => true,
    }
}

fn scalar_message(name: &str, v: &Value) -> String {
    match name {
        "Int" => format!("Int cannot represent non-integer value: {v}"),
        "String" => format!("String cannot represent a non string value: {v}"),
        "ID" => format!("ID cannot represent a non-string and non-integer value: {v}"),
        "Boolean" => format!("Boolean cannot represent a non boolean value: {v}"),
        _ => format!("Float cannot represent non numeric value: {v}"),
    }
}

/// Checks the JSON `variables` against the operation's definitions and converts them.
pub fn coerce_variables(
    op: &OperationDefinition,
    json: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vars, Vec<GqlError>> {
    let schema = Schema::get();
    let mut vars = Vars::new();
    let mut errors = vec![];
    for def in &op.variable_definitions {
        let (name, ty, pos) = (
            def.node.name.node.as_str(),
            &def.node.var_type.node,
            def.pos,
        );
        if schema
            .ty(named(ty))
            .is_none_or(|t| matches!(t.kind, Kind::Object | Kind::Interface))
        {
            errors.push(GqlError::validation(
                format!("Variable \"${name}\" cannot be non-input type \"{ty}\"."),
                pos,
            ));
            continue;
        }
        match (json.get(name), def.node.default_value()) {
            (None, Some(d)) => {
                vars.insert(name.to_string(), d.clone());
            }
            (None, None) if !ty.nullable => errors.push(GqlError::validation(
                format!("Variable \"${name}\" of required type \"{ty}\" was not provided."),
                pos,
            )),
            (None, None) => {}
            (Some(v), _) => match coerce_json(v, ty) {
                Ok(c) => {
                    vars.insert(name.to_string(), c);
                }
                Err(why) => errors.push(GqlError::validation(
                    format!("Variable \"${name}\" got invalid value {v}; {why}"),
                    pos,
                )),
            },
        }
    }
    if errors.is_empty() {
        Ok(vars)
    } else {
        Err(errors)
    }
}

/// Converts a JSON input value to `ty`, with GraphQL input coercion (single value → list).
pub fn coerce_json(v: &serde_json::Value, ty: &Type) -> Result<ConstValue, String> {
    use serde_json::Value as J;
    if v.is_null() {
        return if ty.nullable {
            Ok(ConstValue::Null)
        } else {
            Err(format!(
                "Expected non-nullable type \"{ty}\" not to be null."
            ))
        };
    }
    let name = match &ty.base {
        BaseType::List(inner) => {
            return match v {
                J::Array(xs) => xs
                    .iter()
                    .map(|x| coerce_json(x, inner))
                    .collect::<Result<_, _>>()
                    .map(ConstValue::List),
                one => Ok(ConstValue::List(vec![coerce_json(one, inner)?])),
            };
        }
        BaseType::Named(n) => n.as_str(),
    };
    let schema = Schema::get();
    let Some(def) = schema.ty(name) else {
        return Err(format!("Unknown type \"{name}\"."));
    };
    match (&def.kind, name, v) {
        (_, "ID", J::String(s)) => Ok(ConstValue::String(s.clone())),
        (_, "ID", J::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(ConstValue::String(n.to_string()))
        }
        (_, "ID", _) => Err(format!("ID cannot represent value: {v}")),
        (_, "String", J::String(s)) => Ok(ConstValue::String(s.clone())),
        (_, "String", _) => Err(format!("String cannot represent a non string value: {v}")),
        (_, "Int", J::Number(n)) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
            Ok(ConstValue::Number(n.clone()))
        }
        (_, "Int", _) => Err(format!("Int cannot represent non-integer value: {v}")),
        (_, "Float", J::Number(n)) => Ok(ConstValue::Number(n.clone())),
        (_, "Float", _) => Err(format!("Float cannot represent non numeric value: {v}")),
        (_, "Boolean", J::Bool(b)) => Ok(ConstValue::Boolean(*b)),
        (_, "Boolean", _) => Err(format!("Boolean cannot represent a non boolean value: {v}")),
        (Kind::Enum(values), _, J::String(s)) if values.contains(s) => {
            Ok(ConstValue::Enum(Name::new(s)))
        }
        (Kind::Enum(_), _, _) => Err(format!("Value {v} does not exist in \"{name}\" enum.")),
        (Kind::Input, _, J::Object(map)) => coerce_json_object(name, &def.input_fields, map),
        (Kind::Input, _, _) => Err(format!("Expected type \"{name}\" to be an object.")),
        _ => ConstValue::from_json(v.clone()).map_err(|e| e.to_string()),
    }
}

fn coerce_json_object(
    name: &str,
    fields: &[ArgDef],
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<ConstValue, String> {
    if let Some(k) = map.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
        return Err(format!("Field \"{k}\" is not defined by type \"{name}\"."));
    }
    let mut out = IndexMap::new();
    for f in fields {
        match (map.get(&f.name), &f.default) {
            (Some(v), _) => {
                out.insert(Name::new(&f.name), coerce_json(v, &f.ty)?);
            }
            (None, Some(d)) => {
                out.insert(Name::new(&f.name), d.clone());
            }
            (None, None) if !f.ty.nullable => {
                return Err(format!(
                    "Field \"{}\" of required type \"{}\" was not provided.",
                    f.name, f.ty
                ));
            }
            (None, None) => {}
        }
    }
    Ok(ConstValue::Object(out))
}
