//! Every query the crawler sends is checked against the official 2026-01 SDL: fields,
//! arguments, inline-fragment types, enum literals, variable types, and the `ItemsQuery`
//! variables it builds. A field that does not exist would be rejected by the real API and by
//! the project's fake server.

use std::collections::HashMap;

use async_graphql_parser::types::{
    BaseType, ExecutableDocument, FieldDefinition, Selection, SelectionSet, Type, TypeKind,
};
use async_graphql_value::Value as GqlValue;
use serde_json::Value;

use super::*;

struct Schema {
    types: HashMap<String, TypeKind>,
}

impl Schema {
    fn load() -> Schema {
        let path = trove_fakes::fixtures::path("monday/schema/monday_schema_sdl_2026-01.graphql");
        let sdl = std::fs::read_to_string(&path).unwrap();
        let doc = async_graphql_parser::parse_schema(sdl).unwrap();
        let mut types = HashMap::new();
        for def in doc.definitions {
            if let async_graphql_parser::types::TypeSystemDefinition::Type(t) = def {
                types.insert(t.node.name.node.to_string(), t.node.kind);
            }
        }
        Schema { types }
    }

    fn field(&self, ty: &str, name: &str) -> Option<&FieldDefinition> {
        let fields = match self.types.get(ty)? {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            _ => return None,
        };
        fields.iter().map(|f| &f.node).find(|f| f.name.node == name)
    }

    fn check_selection(&self, ty: &str, set: &SelectionSet, path: &str, errors: &mut Vec<String>) {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let Some(def) = self.field(ty, name) else {
                        errors.push(format!("{path}: no field `{name}` on `{ty}`"));
                        continue;
                    };
                    for (arg, value) in &f.node.arguments {
                        let Some(a) = def.arguments.iter().find(|a| a.node.name.node == arg.node)
                        else {
                            errors.push(format!("{path}.{name}: no argument `{}`", arg.node));
                            continue;
                        };
                        if let GqlValue::Enum(e) = &value.node {
                            self.check_enum(&named(&a.node.ty.node), e.as_str(), path, errors);
                        }
                    }
                    let inner = named(&def.ty.node);
                    self.check_selection(
                        &inner,
                        &f.node.selection_set.node,
                        &format!("{path}.{name}"),
                        errors,
                    );
                }
                Selection::InlineFragment(frag) => {
                    let on = frag
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.to_string());
                    let on = on.unwrap_or_else(|| ty.to_owned());
                    if !self.types.contains_key(&on) {
                        errors.push(format!("{path}: unknown fragment type `{on}`"));
                    }
                    self.check_selection(&on, &frag.node.selection_set.node, path, errors);
                }
                Selection::FragmentSpread(_) => {
                    errors.push(format!("{path}: named fragments unused here"))
                }
            }
        }
    }

    fn check_enum(&self, ty: &str, value: &str, path: &str, errors: &mut Vec<String>) {
        match self.types.get(ty) {
            Some(TypeKind::Enum(e)) if e.values.iter().any(|v| v.node.value.node == value) => {}
            _ => errors.push(format!("{path}: `{value}` is not a `{ty}`")),
        }
    }

    /// Checks a JSON variable against an input type (field names and enum values).
    fn check_input(&self, ty: &str, v: &Value, path: &str, errors: &mut Vec<String>) {
        match (self.types.get(ty), v) {
            (_, Value::Null) => {}
            (Some(TypeKind::InputObject(o)), Value::Object(map)) => {
                for (k, val) in map {
                    match o.fields.iter().find(|f| f.node.name.node == k.as_str()) {
                        Some(f) => self.check_input(
                            &named(&f.node.ty.node),
                            val,
                            &format!("{path}.{k}"),
                            errors,
                        ),
                        None => errors.push(format!("{path}: no input field `{k}` on `{ty}`")),
                    }
                }
            }
            (_, Value::Array(list)) => list
                .iter()
                .for_each(|x| self.check_input(ty, x, path, errors)),
            (Some(TypeKind::Enum(_)), Value::String(s)) => self.check_enum(ty, s, path, errors),
            (Some(TypeKind::Scalar), _) => {}
            (None, _) if ["String", "Int", "ID", "Boolean", "Float"].contains(&ty) => {}
            (other, _) => errors.push(format!(
                "{path}: {v} does not fit `{ty}` ({})",
                other.is_some()
            )),
        }
    }
}

fn named(t: &Type) -> String {
    match &t.base {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

fn check_query(schema: &Schema, q: &str) -> Vec<String> {
    let doc: ExecutableDocument = async_graphql_parser::parse_query(q).unwrap();
    let mut errors = Vec::new();
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            let ty = named(&var.node.var_type.node);
            let builtin = ["String", "Int", "ID", "Boolean", "Float"].contains(&ty.as_str());
            if !builtin && !schema.types.contains_key(&ty) {
                errors.push(format!("unknown variable type `{ty}`"));
            }
        }
        schema.check_selection("Query", &op.node.selection_set.node, "Query", &mut errors);
    }
    errors
}

#[test]
fn every_query_exists_in_the_2026_01_sdl() {
    trove_fakes::require_fixtures!();
    let schema = Schema::load();
    for q in ALL {
        let errors = check_query(&schema, q);
        assert!(errors.is_empty(), "{errors:#?}\nin {q}");
    }
}

#[test]
fn items_query_variables_fit_the_sdl() {
    trove_fakes::require_fixtures!();
    let schema = Schema::load();
    let mut errors = Vec::new();
    let t = "2024-01-01T00:00:00Z".parse().unwrap();
    schema.check_input("ItemsQuery", &items_params(Some(t)), "params", &mut errors);
    schema.check_input("ItemsQuery", &items_params(None), "params", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_checker_catches_mistakes() {
    trove_fakes::require_fixtures!();
    let schema = Schema::load();
    let bad = "query { boards(limit: 1, colour: red, state: gone) { id nonsense items_page { items { ... on NoSuchValue { x } } } } }";
    assert_eq!(
        check_query(&schema, bad).len(),
        5,
        "{:#?}",
        check_query(&schema, bad)
    );
}
