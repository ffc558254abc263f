//! Static validation of a parsed query against the supported [`Schema`], producing the
//! messages of monday's 2025 validator (graphql-js wording, `locations`, no `extensions.code`).
//!
//! [`select_operation`] picks the operation, [`coerce_variables`] (in [`super::inputs`])
//! checks and converts the JSON variables, [`validate`] walks every selection (fragments included, executed or not):
//! unknown fields, unknown or missing arguments, bad literals, leaf/composite selections,
//! variable usages of the wrong type, unused variables and fragments, unknown fragments and
//! impossible type conditions are all reported.

use std::collections::HashSet;

use async_graphql_parser::types::{
    Directive, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    Type,
};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::{Name, Value};

use super::errors::GqlError;
use super::inputs::LiteralCheck;
pub use super::inputs::{coerce_json, coerce_variables, Vars};
use super::schema::{named, Kind, Schema};

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

/// Validates the whole operation; returns every error found.
pub fn validate(doc: &ExecutableDocument, op: &OperationDefinition) -> Vec<GqlError> {
    let mut v = Validator {
        doc,
        schema: Schema::get(),
        literals: LiteralCheck::new(op),
        errors: vec![],
        spreading: vec![],
        spread: HashSet::new(),
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
    v.unused(doc, op);
    v.errors.dedup();
    v.errors
}

struct Validator<'d> {
    doc: &'d ExecutableDocument,
    schema: &'static Schema,
    literals: LiteralCheck,
    errors: Vec<GqlError>,
    /// Fragment names being expanded (cycle detection).
    spreading: Vec<String>,
    /// Fragment names spread somewhere.
    spread: HashSet<String>,
}

impl Validator<'_> {
    fn error(&mut self, msg: String, pos: Pos) {
        self.errors.push(GqlError::validation(msg, pos));
    }

    /// Unused variables and fragments are errors in GraphQL.
    fn unused(&mut self, doc: &ExecutableDocument, op: &OperationDefinition) {
        for d in &op.variable_definitions {
            let n = d.node.name.node.as_str();
            if !self.literals.used.contains(n) {
                self.error(format!("Variable \"${n}\" is never used."), d.pos);
            }
        }
        for (name, frag) in &doc.fragments {
            if !self.spread.contains(name.as_str()) {
                self.error(format!("Fragment \"{name}\" is never used."), frag.pos);
            }
        }
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
        self.spread.insert(name.node.to_string());
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

    fn directives(&mut self, dirs: &[Positioned<Directive>]) {
        for d in dirs {
            let n = d.node.name.node.as_str();
            if n != "skip" && n != "include" {
                self.error(format!("Unknown directive \"@{n}\"."), d.pos);
            }
            for (_, v) in &d.node.arguments {
                let boolean = Type::new("Boolean!").unwrap_or_else(|| unreachable!());
                self.literal(&v.node, &boolean, false, v.pos);
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
                Some(a) => self.literal(&value.node, &a.ty, a.default.is_some(), value.pos),
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

    /// Checks a literal against `ty` at `pos`.
    fn literal(&mut self, v: &Value, ty: &Type, loc_default: bool, pos: Pos) {
        for msg in self.literals.check(v, ty, loc_default) {
            self.error(msg, pos);
        }
    }
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
    fn variable_types_and_usage_are_checked() {
        assert_eq!(
            errors("query ($b: String) { boards(ids: $b) { id } }"),
            ["Variable \"$b\" of type \"String\" used in position expecting type \"[ID!]\"."]
        );
        assert!(
            errors("query ($b: [ID!], $l: Int) { boards(ids: $b, limit: $l) { id } }").is_empty()
        );
        assert!(
            errors("query ($c: String!) { next_items_page(cursor: $c) { cursor } }").is_empty()
        );
        assert_eq!(
            errors("query ($c: String) { next_items_page(cursor: $c) { cursor } }"),
            ["Variable \"$c\" of type \"String\" used in position expecting type \"String!\"."]
        );
        assert_eq!(
            errors("query ($x: Int) { me { id } }"),
            ["Variable \"$x\" is never used."]
        );
        assert_eq!(
            errors("{ me { id } } fragment U on User { id }"),
            ["Fragment \"U\" is never used."]
        );
        let q = r#"query ($t: CompareValue!) { boards { items_page(query_params: {rules: [{column_id: "x", compare_value: $t}]}) { cursor } } }"#;
        assert!(errors(q).is_empty(), "{:?}", errors(q));
    }

    #[test]
    fn items_query_input_is_checked() {
        let q = r#"{boards{items_page(query_params:{rules:[{column_id:"__last_updated__", compare_value:["EXACT","2024-01-01T00:00:00Z"], operator: greater_than_or_equals, compare_attribute:"UPDATED_AT"}]}){cursor}}}"#;
        assert!(errors(q).is_empty(), "{:?}", errors(q));
        let bad = r#"{boards{items_page(query_params:{rules:[{compare_value:[1], colour: 1}]}){cursor}}}"#;
        assert_eq!(
            errors(bad),
            [
                "Field \"colour\" is not defined by type \"ItemsQueryRule\".",
                "Field \"ItemsQueryRule.column_id\" of required type \"ID!\" was not provided."
            ]
        );
    }
}
