//! Execution of a validated operation against the [`Account`]: [`Exec::run`] walks the
//! selection sets, merging fields by response key (aliases, inline and named fragments,
//! `@skip`/`@include`), resolves each field through [`super::resolve`] and builds an ordered
//! [`Out`] tree, serialized as the response's `data`.
//!
//! An [`ApiError`] from a resolver aborts the request: monday answers such errors with
//! `data: null` plus the error at its `path`.

use std::collections::HashMap;

use async_graphql_parser::types::{
    ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql_parser::{Pos, Positioned};
use async_graphql_value::{ConstValue, Value};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::json;

use super::complexity::ComplexityInfo;
use super::cursors::Cursors;
use super::errors::{ApiError, GqlError};
use super::model::{Account, Board, Cell, Column, Group, Item, Reply, Update, User, Workspace};
use super::schema::{FieldDef, Schema};
use super::validate::Vars;

/// Response data with object keys in selection order.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Null,
    Val(serde_json::Value),
    List(Vec<Out>),
    Obj(Vec<(String, Out)>),
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Null => s.serialize_unit(),
            Out::Val(v) => v.serialize(s),
            Out::List(xs) => {
                let mut seq = s.serialize_seq(Some(xs.len()))?;
                xs.iter().try_for_each(|x| seq.serialize_element(x))?;
                seq.end()
            }
            Out::Obj(kv) => {
                let mut map = s.serialize_map(Some(kv.len()))?;
                kv.iter().try_for_each(|(k, v)| map.serialize_entry(k, v))?;
                map.end()
            }
        }
    }
}

impl Out {
    /// An object from (key, value) pairs, in order.
    pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Out)>) -> Out {
        Out::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Whether this is an object with key `k`.
    pub fn has_key(&self, k: &str) -> bool {
        match self {
            Out::Obj(kv) => kv.iter().any(|(key, _)| key == k),
            Out::Val(v) => v.get(k).is_some(),
            _ => false,
        }
    }

    /// The (key, value) pairs of an object (a JSON object's keys come sorted).
    pub fn into_pairs(self) -> Vec<(String, Out)> {
        match self {
            Out::Obj(kv) => kv,
            Out::Val(serde_json::Value::Object(m)) => {
                m.into_iter().map(|(k, v)| (k, Out::Val(v))).collect()
            }
            _ => vec![],
        }
    }
}

impl From<serde_json::Value> for Out {
    fn from(v: serde_json::Value) -> Self {
        Out::Val(v)
    }
}

/// An object being resolved, tagged with its GraphQL type.
#[derive(Debug, Clone)]
pub enum Node<'a> {
    Query,
    Board(&'a Board),
    Group(&'a Board, &'a Group),
    Column(&'a Column),
    Item(&'a Item),
    /// An item reached through a parent's `subitems` (see [`super::faults::Faults`]).
    Subitem(&'a Item),
    ColumnValue(&'a Item, &'a Column, Cell),
    Update(&'a Update),
    Reply(&'a Reply),
    User(&'a User),
    Workspace(&'a Workspace),
    Complexity(ComplexityInfo),
    /// A file of a `file` column: (uploading item, asset id, file name, url).
    Asset(&'a Item, u64, String, String),
    /// The served API version.
    Version(String),
    ActivityLog(&'a super::activity::ActivityLog),
    Page(Option<String>, Vec<&'a Item>),
}

impl Node<'_> {
    /// The concrete GraphQL type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Query => "Query",
            Node::Board(_) => "Board",
            Node::Group(..) => "Group",
            Node::Column(_) => "Column",
            Node::Item(_) | Node::Subitem(_) => "Item",
            Node::ColumnValue(_, c, _) => super::cells::value_type_name(&c.col_type),
            Node::Update(_) => "Update",
            Node::Reply(_) => "Reply",
            Node::User(_) => "User",
            Node::Workspace(_) => "Workspace",
            Node::Complexity(_) => "Complexity",
            Node::Asset(..) => "Asset",
            Node::Version(_) => "Version",
            Node::ActivityLog(_) => "ActivityLogType",
            Node::Page(..) => "ItemsResponse",
        }
    }
}

/// What a resolver returns before sub-selection.
#[derive(Debug)]
pub enum Res<'a> {
    Null,
    /// An object the token may not read: `null` plus a `USER_UNAUTHORIZED` error.
    Denied,
    Leaf(serde_json::Value),
    Node(Node<'a>),
    List(Vec<Res<'a>>),
}

impl<'a> Res<'a> {
    /// A leaf string.
    pub fn str(s: impl Into<String>) -> Self {
        Res::Leaf(json!(s.into()))
    }

    /// A leaf string or null.
    pub fn opt_str(s: Option<impl Into<String>>) -> Self {
        s.map_or(Res::Null, Res::str)
    }

    /// A list of nodes.
    pub fn nodes(xs: impl IntoIterator<Item = Node<'a>>) -> Self {
        Res::List(xs.into_iter().map(Res::Node).collect())
    }
}

/// Arguments of one field: given values (variables substituted) plus schema defaults.
#[derive(Debug, Default)]
pub struct Args(HashMap<String, ConstValue>);

impl Args {
    /// Resolves `field`'s arguments against its definition.
    pub fn new(field: &Field, def: &FieldDef, vars: &Vars) -> Args {
        let mut map = HashMap::new();
        for a in &def.args {
            let given = field.arguments.iter().find(|(n, _)| n.node == a.name);
            // An unset variable leaves the argument to its default.
            let value = match given {
                Some((
                    _,
                    Positioned {
                        node: Value::Variable(n),
                        ..
                    },
                )) if !vars.contains_key(n.as_str()) => a.default.clone(),
                Some((_, v)) => Some(const_value(&v.node, vars)),
                None => a.default.clone(),
            };
            if let Some(v) = value.filter(|v| *v != ConstValue::Null) {
                map.insert(a.name.clone(), v);
            }
        }
        Args(map)
    }

    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&ConstValue> {
        self.0.get(name)
    }

    /// An integer argument.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.0.get(name)? {
            ConstValue::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// A string or enum argument.
    pub fn str(&self, name: &str) -> Option<&str> {
        match self.0.get(name)? {
            ConstValue::String(s) => Some(s),
            ConstValue::Enum(e) => Some(e.as_str()),
            _ => None,
        }
    }

    /// A boolean argument.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.0.get(name)? {
            ConstValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// A list of strings (IDs or strings; a single value counts as a list of one).
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        let one = |v: &ConstValue| match v {
            ConstValue::String(s) => Some(s.clone()),
            ConstValue::Number(n) => Some(n.to_string()),
            ConstValue::Enum(e) => Some(e.to_string()),
            _ => None,
        };
        match self.0.get(name)? {
            ConstValue::List(xs) => Some(xs.iter().filter_map(one).collect()),
            v => one(v).map(|s| vec![s]),
        }
    }

    /// A list of numeric ids; ids that are not numbers match nothing and are dropped.
    pub fn ids(&self, name: &str) -> Option<Vec<u64>> {
        Some(
            self.strings(name)?
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect(),
        )
    }

    /// `limit` and 1-based `page` as (offset, limit).
    pub fn window(&self, default_limit: i64) -> (usize, usize) {
        let limit = self.int("limit").unwrap_or(default_limit).max(0) as usize;
        let page = self.int("page").unwrap_or(1).max(1) as usize;
        ((page - 1) * limit, limit)
    }
}

/// Substitutes variables into a literal.
pub fn const_value(v: &Value, vars: &Vars) -> ConstValue {
    v.clone()
        .into_const_with(|n| Ok::<_, ()>(vars.get(n.as_str()).cloned().unwrap_or(ConstValue::Null)))
        .unwrap_or(ConstValue::Null)
}

/// Applies a `limit`/`page` window to a list.
pub fn paginate<T>(xs: Vec<T>, (offset, limit): (usize, usize)) -> Vec<T> {
    xs.into_iter().skip(offset).take(limit).collect()
}

/// Per-request execution state.
pub struct Exec<'a> {
    pub acc: &'a Account,
    pub cursors: &'a mut Cursors,
    pub doc: &'a ExecutableDocument,
    pub vars: &'a Vars,
    pub complexity: ComplexityInfo,
    /// The served `API-Version`.
    pub version: String,
    /// Fault injection: the next cursor use in this request reports expiry.
    pub expire_cursor: bool,
    /// Fault injection: `state` on a nested subitem fails the request.
    pub subitem_state_errors: bool,
    /// Fault injection: boards served as `null` entries with a `USER_UNAUTHORIZED` error.
    pub unauthorized_boards: &'a [String],
    /// Errors that come with partial data.
    pub partial_errors: Vec<GqlError>,
}

/// One merged response key: its first field and all same-key fields' selection sets.
type Grouped<'d> = Vec<(String, &'d Positioned<Field>, Vec<&'d SelectionSet>)>;

impl<'a> Exec<'a> {
    /// Runs the operation and returns `data`.
    pub fn run(&mut self, op: &'a OperationDefinition) -> Result<Out, GqlError> {
        self.select(&Node::Query, &[&op.selection_set.node], &mut vec![])
    }

    fn select(
        &mut self,
        node: &Node<'a>,
        sets: &[&'a SelectionSet],
        path: &mut Vec<serde_json::Value>,
    ) -> Result<Out, GqlError> {
        let ty = node.type_name();
        let mut grouped: Grouped<'a> = vec![];
        for set in sets {
            self.collect(set, ty, &mut grouped);
        }
        let mut out = Vec::with_capacity(grouped.len());
        for (key, field, subsets) in grouped {
            path.push(json!(key));
            let value = self.field(node, field, &subsets, path)?;
            path.pop();
            out.push((key, value));
        }
        Ok(Out::Obj(out))
    }

    fn field(
        &mut self,
        node: &Node<'a>,
        f: &'a Positioned<Field>,
        subsets: &[&'a SelectionSet],
        path: &mut Vec<serde_json::Value>,
    ) -> Result<Out, GqlError> {
        let name = f.node.name.node.as_str();
        if name == "__typename" {
            return Ok(Out::Val(json!(node.type_name())));
        }
        let def = Schema::get()
            .ty(node.type_name())
            .and_then(|t| t.field(name));
        let args = def
            .map(|d| Args::new(&f.node, d, self.vars))
            .unwrap_or_default();
        let res = super::resolve::resolve(self, node, name, &args)
            .map_err(|e| e.to_gql(path.clone(), f.pos))?;
        self.complete(res, subsets, path, f.pos)
    }

    fn complete(
        &mut self,
        res: Res<'a>,
        subsets: &[&'a SelectionSet],
        path: &mut Vec<serde_json::Value>,
        pos: Pos,
    ) -> Result<Out, GqlError> {
        Ok(match res {
            Res::Null => Out::Null,
            Res::Denied => {
                let e = super::errors::user_unauthorized(path.clone(), pos);
                self.partial_errors.push(e);
                Out::Null
            }
            Res::Leaf(v) => Out::Val(v),
            Res::Node(n) => self.select(&n, subsets, path)?,
            Res::List(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                for (i, x) in xs.into_iter().enumerate() {
                    path.push(json!(i));
                    out.push(self.complete(x, subsets, path, pos)?);
                    path.pop();
                }
                Out::List(out)
            }
        })
    }

    fn collect(&self, set: &'a SelectionSet, ty: &str, out: &mut Grouped<'a>) {
        for sel in &set.items {
            if !self.included(sel.node.directives()) {
                continue;
            }
            match &sel.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.to_string();
                    match out.iter_mut().find(|(k, _, _)| *k == key) {
                        Some((_, _, sets)) => sets.push(&f.node.selection_set.node),
                        None => out.push((key, f, vec![&f.node.selection_set.node])),
                    }
                }
                Selection::InlineFragment(frag) => {
                    let applies = frag
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| Schema::get().type_matches(ty, &c.node.on.node));
                    if applies {
                        self.collect(&frag.node.selection_set.node, ty, out);
                    }
                }
                Selection::FragmentSpread(s) => {
                    if let Some(frag) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        if Schema::get().type_matches(ty, &frag.node.type_condition.node.on.node) {
                            self.collect(&frag.node.selection_set.node, ty, out);
                        }
                    }
                }
            }
        }
    }

    fn included(&self, dirs: &[Positioned<async_graphql_parser::types::Directive>]) -> bool {
        dirs.iter().all(|d| {
            let cond = d
                .node
                .get_argument("if")
                .map(|v| const_value(&v.node, self.vars));
            let cond = matches!(cond, Some(ConstValue::Boolean(true)));
            match d.node.name.node.as_str() {
                "skip" => !cond,
                "include" => cond,
                _ => true,
            }
        })
    }
}

/// Re-export for resolvers.
pub type ExecResult<'a> = Result<Res<'a>, ApiError>;
