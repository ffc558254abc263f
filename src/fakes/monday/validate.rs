//! Static validation of a parsed query against the supported [`Schema`], producing the
//! messages of monday's 2025 validator (graphql-js wording, `locations`, no `extensions.code`).
//!
//! [`select_operation`] picks the operation, [`coerce_variables`] checks and converts the
//! JSON variables, [`validate`] walks every selection (fragments included, executed or not):
//! unknown fields, unknown or missing arguments, bad literals, leaf/composite selections,
//! unknown fragments and impossible type conditions are all reported.

use std::collections::{HashMap, HashSet};

use async_graphql_parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet, Type,
};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::{ConstValue, Name, Value};

use super::errors::GqlError;
use super::schema::{named, ArgDef, Kind, Schema};

/// Coerced variable values (defaults applied).
pub type Vars = HashMap<String, ConstValue>;

/// Picks the operation to run (`operationName` or the only one).
pub fn select_operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d Positioned<OperationDefinition>, GqlError> {
    let ops: Vec<_> = doc.operations.iter().collect();
    let pos = Pos { line: 1, column: 1 };
    match name {
        Some(n) => ops
            .iter()
            .find(|(on, _)| on.map(|x| x.as_str()) == Some(n))
            .map(|(_, op)| *op)
            .ok_or_else(|| GqlError::validation(format!("Unknown operation named \"{n}\"."), pos)),
        None if ops.len() == 1 => Ok(ops[0].1),
        None => Err(GqlError::validation(
            "Must provide operation name if query contains multiple operations.",
            pos,
        )),
    }
}

/// The root type name of an operation.
pub fn root_type(op: &OperationDefinition) -> &'static str {
    match op.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
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
    let mut out = async_graphql_value::indexmap::IndexMap::new();
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

/// Validates the whole operation; returns every error found.
pub fn validate(doc: &ExecutableDocument, op: &OperationDefinition) -> Vec<GqlError> {
    let mut v = Validator {
        doc,
        schema: Schema::get(),
        defined: op
            .variable_definitions
            .iter()
            .map(|d| d.node.name.node.to_string())
            .collect(),
        errors: vec![],
        spreading: vec![],
    };
    v.selection_set(&op.selection_set.node, root_type(op));
    for (name, frag) in &doc.fragments {
        let on = frag.node.type_condition.node.on.node.as_str();
        if v.schema.ty(on).is_none() {
            v.error(
                format!("Unknown type \"{on}\"."),
                frag.node.type_condition.pos,
            );
        } else {
            v.spreading.push(name.to_string());
            v.selection_set(&frag.node.selection_set.node, on);
            v.spreading.pop();
        }
    }
    v.errors.dedup();
    v.errors
}

struct Validator<'d> {
    doc: &'d ExecutableDocument,
    schema: &'static Schema,
    defined: HashSet<String>,
    errors: Vec<GqlError>,
    /// Fragment names being expanded (cycle detection).
    spreading: Vec<String>,
}

impl Validator<'_> {
    fn error(&mut self, msg: String, pos: Pos) {
        self.errors.push(GqlError::validation(msg, pos));
    }

    fn selection_set(&mut self, set: &SelectionSet, ty: &str) {
        for sel in &set.items {
            self.directives(sel.node.directives());
            match &sel.node {
                Selection::Field(f) => self.field(f, ty),
                Selection::InlineFragment(frag) => {
                    let cond = frag
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| (c.node.on.node.as_str(), c.pos));
                    let target = match cond {
                        Some((on, pos)) if !self.check_condition(ty, on, pos) => continue,
                        Some((on, _)) => on,
                        None => ty,
                    };
                    self.selection_set(&frag.node.selection_set.node, target);
                }
                Selection::FragmentSpread(s) => self.spread(&s.node.fragment_name, ty),
            }
        }
    }

    fn spread(&mut self, name: &Positioned<Name>, ty: &str) {
        let Some(frag) = self.doc.fragments.get(&name.node) else {
            return self.error(format!("Unknown fragment \"{}\".", name.node), name.pos);
        };
        if self.spreading.iter().any(|s| s == name.node.as_str()) {
            return self.error(
                format!("Cannot spread fragment \"{}\" within itself.", name.node),
                name.pos,
            );
        }
        let on = frag.node.type_condition.node.on.node.as_str();
        if self.schema.ty(on).is_some() && !self.possible(ty, on) {
            self.error(
                format!("Fragment \"{}\" cannot be spread here as objects of type \"{ty}\" can never be of type \"{on}\".", name.node),
                name.pos,
            );
        }
    }

    fn check_condition(&mut self, ty: &str, on: &str, pos: Pos) -> bool {
        if self.schema.ty(on).is_none() {
            self.error(format!("Unknown type \"{on}\"."), pos);
            return false;
        }
        if !self.possible(ty, on) {
            self.error(
                format!("Fragment cannot be spread here as objects of type \"{ty}\" can never be of type \"{on}\"."),
                pos,
            );
            return false;
        }
        true
    }

    /// Whether an object typed `parent` can also be of type `cond`.
    fn possible(&self, parent: &str, cond: &str) -> bool {
        let s = self.schema;
        s.type_matches(parent, cond) || s.type_matches(cond, parent)
    }

    fn directives(&mut self, dirs: &[Positioned<async_graphql_parser::types::Directive>]) {
        for d in dirs {
            let n = d.node.name.node.as_str();
            if n != "skip" && n != "include" {
                self.error(format!("Unknown directive \"@{n}\"."), d.pos);
            }
            for (_, v) in &d.node.arguments {
                self.literal_vars(&v.node, v.pos);
            }
        }
    }

    fn field(&mut self, f: &Positioned<async_graphql_parser::types::Field>, ty: &str) {
        let (name, pos) = (f.node.name.node.as_str(), f.pos);
        if name == "__typename" {
            return;
        }
        let Some(def) = self.schema.ty(ty).and_then(|t| t.field(name)).cloned() else {
            return self.error(
                format!("Cannot query field \"{name}\" on type \"{ty}\"."),
                pos,
            );
        };
        for (arg, value) in &f.node.arguments {
            match def.arg(&arg.node) {
                None => self.error(
                    format!(
                        "Unknown argument \"{}\" on field \"{ty}.{name}\".",
                        arg.node
                    ),
                    arg.pos,
                ),
                Some(a) => self.literal(&value.node, &a.ty, value.pos),
            }
        }
        for a in def
            .args
            .iter()
            .filter(|a| !a.ty.nullable && a.default.is_none())
        {
            if !f.node.arguments.iter().any(|(n, _)| n.node == a.name) {
                self.error(
                    format!("Field \"{name}\" argument \"{}\" of type \"{}\" is required, but it was not provided.", a.name, a.ty),
                    pos,
                );
            }
        }
        let target = named(&def.ty);
        let leaf = self
            .schema
            .ty(target)
            .is_some_and(|t| matches!(t.kind, Kind::Scalar | Kind::Enum(_)));
        let has_sel = !f.node.selection_set.node.items.is_empty();
        match (leaf, has_sel) {
            (true, true) => self.error(
                format!("Field \"{name}\" must not have a selection since type \"{}\" has no subfields.", def.ty),
                f.node.selection_set.pos,
            ),
            (false, false) => self.error(
                format!("Field \"{name}\" of type \"{}\" must have a selection of subfields. Did you mean \"{name} {{ ... }}\"?", def.ty),
                pos,
            ),
            (false, true) => self.selection_set(&f.node.selection_set.node, target),
            (true, false) => {}
        }
    }

    fn literal_vars(&mut self, v: &Value, pos: Pos) {
        match v {
            Value::Variable(n) if !self.defined.contains(n.as_str()) => {
                self.error(format!("Variable \"${n}\" is not defined."), pos)
            }
            Value::List(xs) => xs.iter().for_each(|x| self.literal_vars(x, pos)),
            Value::Object(m) => m.values().for_each(|x| self.literal_vars(x, pos)),
            _ => {}
        }
    }

    /// Checks a literal against `ty` (variables are only checked for being defined).
    fn literal(&mut self, v: &Value, ty: &Type, pos: Pos) {
        if let Some(msg) = literal_error(v, ty, self.schema) {
            return self.error(msg, pos);
        }
        self.literal_vars(v, pos);
    }
}

fn literal_error(v: &Value, ty: &Type, schema: &Schema) -> Option<String> {
    match (v, &ty.base) {
        (Value::Variable(_), _) => None,
        (Value::Null, _) if !ty.nullable => {
            Some(format!("Expected value of type \"{ty}\", found null."))
        }
        (Value::Null, _) => None,
        (Value::List(xs), BaseType::List(inner)) => {
            xs.iter().find_map(|x| literal_error(x, inner, schema))
        }
        (one, BaseType::List(inner)) => literal_error(one, inner, schema),
        (v, BaseType::Named(n)) => named_literal_error(v, n.as_str(), schema),
    }
}

fn named_literal_error(v: &Value, name: &str, schema: &Schema) -> Option<String> {
    let def = schema.ty(name)?;
    let ok = match (name, &def.kind, v) {
        ("ID", _, Value::String(_)) | ("String", _, Value::String(_)) => true,
        ("ID", _, Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("Int", _, Value::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        ("Float", _, Value::Number(_)) | ("Boolean", _, Value::Boolean(_)) => true,
        ("ID" | "String" | "Int" | "Float" | "Boolean", _, _) => false,
        (_, Kind::Enum(values), Value::Enum(e)) => {
            return (!values.iter().any(|x| x == e.as_str()))
                .then(|| format!("Value \"{e}\" does not exist in \"{name}\" enum."));
        }
        (_, Kind::Enum(_), other) => {
            return Some(format!(
                "Enum \"{name}\" cannot represent non-enum value: {other}."
            ));
        }
        (_, Kind::Input, Value::Object(map)) => {
            return input_object_error(name, &def.input_fields, map, schema)
        }
        (_, Kind::Input, _) => false,
        _ => true,
    };
    (!ok).then(|| scalar_message(name, v))
}

fn scalar_message(name: &str, v: &Value) -> String {
    match name {
        "Int" => format!("Int cannot represent non-integer value: {v}"),
        "String" => format!("String cannot represent a non string value: {v}"),
        "ID" => format!("ID cannot represent a non-string and non-integer value: {v}"),
        "Boolean" => format!("Boolean cannot represent a non boolean value: {v}"),
        "Float" => format!("Float cannot represent non numeric value: {v}"),
        other => format!("Expected value of type \"{other}\", found {v}."),
    }
}

fn input_object_error(
    name: &str,
    fields: &[ArgDef],
    map: &async_graphql_value::indexmap::IndexMap<Name, Value>,
    schema: &Schema,
) -> Option<String> {
    if let Some(k) = map
        .keys()
        .find(|k| !fields.iter().any(|f| f.name == k.as_str()))
    {
        return Some(format!("Field \"{k}\" is not defined by type \"{name}\"."));
    }
    for f in fields {
        match map.get(f.name.as_str()) {
            Some(v) => {
                if let Some(e) = literal_error(v, &f.ty, schema) {
                    return Some(e);
                }
            }
            None if !f.ty.nullable && f.default.is_none() => {
                return Some(format!(
                    "Field \"{name}.{}\" of required type \"{}\" was not provided.",
                    f.name, f.ty
                ));
            }
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(q: &str) -> Vec<String> {
        let doc = async_graphql_parser::parse_query(q).unwrap();
        let op = select_operation(&doc, None).unwrap();
        validate(&doc, &op.node)
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn unknown_field_matches_the_real_2025_message_and_location() {
        let doc =
            async_graphql_parser::parse_query(r#"query{items(ids: "18273360069"){invalid_field}}"#)
                .unwrap();
        let op = select_operation(&doc, None).unwrap();
        let errs = validate(&doc, &op.node);
        assert_eq!(
            errs[0].message,
            "Cannot query field \"invalid_field\" on type \"Item\"."
        );
        assert_eq!(
            (errs[0].locations[0].line, errs[0].locations[0].column),
            (1, 33)
        );
    }

    #[test]
    fn reports_arguments_enums_and_selections() {
        assert_eq!(
            errors("{boards(foo: 1){id}}"),
            ["Unknown argument \"foo\" on field \"Query.boards\"."]
        );
        assert_eq!(
            errors(r#"{boards(board_kind: "invalid_kind"){id}}"#),
            ["Enum \"BoardKind\" cannot represent non-enum value: \"invalid_kind\"."]
        );
        assert_eq!(
            errors("{boards(state: gone){id}}"),
            ["Value \"gone\" does not exist in \"State\" enum."]
        );
        assert_eq!(
            errors("{boards(limit: \"x\"){id}}"),
            ["Int cannot represent non-integer value: \"x\""]
        );
        assert!(errors("{boards}")[0].contains("must have a selection of subfields"));
        assert!(errors("{next_items_page(limit: 5){cursor}}")[0]
            .contains("argument \"cursor\" of type \"String!\" is required"));
        assert!(errors("{boards{id{x}}}")[0].contains("must not have a selection"));
        assert_eq!(
            errors("{boards(ids: $x){id}}"),
            ["Variable \"$x\" is not defined."]
        );
    }

    #[test]
    fn accepts_fragments_on_column_value_implementations() {
        let q = "query { items(ids: [1]) { ...F column_values { id ... on MirrorValue { display_value } ... on BoardRelationValue { linked_item_ids } } } } fragment F on Item { id name }";
        assert!(errors(q).is_empty(), "{:?}", errors(q));
        assert!(errors("{ items { ... on Board { id } } }")[0].contains("can never be of type"));
        assert_eq!(
            errors("{ items { ...Nope } }"),
            ["Unknown fragment \"Nope\"."]
        );
    }

    #[test]
    fn items_query_input_is_checked() {
        let q = r#"{boards{items_page(query_params:{rules:[{column_id:"__last_updated__", compare_value:["EXACT","2024-01-01T00:00:00Z"], operator: greater_than_or_equals, compare_attribute:"UPDATED_AT"}]}){cursor}}}"#;
        assert!(errors(q).is_empty(), "{:?}", errors(q));
        let bad = r#"{boards{items_page(query_params:{rules:[{compare_value:[1], colour: 1}]}){cursor}}}"#;
        assert_eq!(
            errors(bad),
            ["Field \"colour\" is not defined by type \"ItemsQueryRule\"."]
        );
    }
}
