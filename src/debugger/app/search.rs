//! `/` finds heads, neurons and residual dimensions by name; `;` and `,` walk
//! the matches. A match is selected where it lives: a head or neuron in its
//! layer's detail line, a dimension as the Layers panel's selected row.

use super::{App, LayerItem, Panel};

/// Something a search can land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchHit {
    Head { layer: usize, head: usize },
    Neuron { layer: usize, neuron: usize },
    Dimension(usize),
}

/// The last search and where in its matches the user is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    pub hits: Vec<SearchHit>,
    pub current: usize,
}

impl App {
    /// Every head, neuron and dimension whose name contains `query`: heads
    /// and neurons layer by layer, then dimensions.
    pub fn search_hits(&self, query: &str) -> Vec<SearchHit> {
        let weights = self.session.model().weights();
        let mut hits = Vec::new();
        for (l, layer) in weights.layers.iter().enumerate() {
            for (h, head) in layer.heads.iter().enumerate() {
                if head.name.contains(query) {
                    hits.push(SearchHit::Head { layer: l, head: h });
                }
            }
            for (n, name) in layer.neuron_names.iter().enumerate() {
                if name.contains(query) {
                    hits.push(SearchHit::Neuron {
                        layer: l,
                        neuron: n,
                    });
                }
            }
        }
        for (d, name) in weights.dims.iter().enumerate() {
            if name.contains(query) {
                hits.push(SearchHit::Dimension(d));
            }
        }
        hits
    }

    pub(super) fn search(&mut self, query: &str) {
        if query.is_empty() {
            self.search = None;
            self.message = "search cleared".into();
            return;
        }
        let hits = self.search_hits(query);
        if hits.is_empty() {
            self.search = None;
            self.message = format!("no dimension, head or neuron matches {query:?}");
            return;
        }
        self.search = Some(Search {
            query: query.to_string(),
            hits,
            current: 0,
        });
        self.show_search_hit();
    }

    /// Moves to the next (`forward`) or previous match, wrapping around.
    pub(super) fn next_match(&mut self, forward: bool) {
        let Some(search) = self.search.as_mut() else {
            self.message = "no search yet: / to find a name".into();
            return;
        };
        let n = search.hits.len();
        search.current = if forward {
            (search.current + 1) % n
        } else {
            (search.current + n - 1) % n
        };
        self.show_search_hit();
    }

    fn show_search_hit(&mut self) {
        let Some(search) = &self.search else { return };
        let hit = search.hits[search.current];
        let of = format!("match {} of {}", search.current + 1, search.hits.len());
        let weights = self.session.model().weights();
        self.focus = Panel::Layers;
        self.message = match hit {
            SearchHit::Head { layer, head } => {
                self.layer = layer;
                self.item = Some(LayerItem::Head(head));
                format!(
                    "{of}: head {} of layer {layer}",
                    weights.layers[layer].heads[head].name
                )
            }
            SearchHit::Neuron { layer, neuron } => {
                self.layer = layer;
                self.item = Some(LayerItem::Neuron(neuron));
                format!(
                    "{of}: neuron {} of layer {layer}",
                    weights.layers[layer].neuron_names[neuron]
                )
            }
            SearchHit::Dimension(d) => {
                self.dim = Some(d);
                self.layer_scroll = d;
                format!("{of}: residual dimension {}", weights.dims[d])
            }
        };
    }
}
