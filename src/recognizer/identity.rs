//! Identity by votes over several frames, so that a name neither flickers nor goes to a stranger
//! after one lucky frame.

use std::collections::VecDeque;

use crate::gallery::{MatchDecision, PersonId};

/// One look this far above the match threshold names a person at once, when no other look of
/// the window disagrees: at the default threshold that is 0.60, where the degraded evaluation set's
/// 4 336 impostor comparisons never came near (highest 0.36; a normal fit to them puts 0.60 at
/// about 3·10⁻⁸ per comparison) and half of its genuine looks reach 0.66. The votes guard against
/// one lucky frame near the threshold; a visitor this clearly themselves is greeted a few frames
/// sooner.
pub const SURE_ABOVE_THRESHOLD: f32 = 0.15;

/// What one embedding of a track said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Vote {
    Person {
        person_id: PersonId,
        similarity: f32,
    },
    Unknown {
        best_similarity: Option<f32>,
    },
}

impl From<MatchDecision> for Vote {
    fn from(decision: MatchDecision) -> Self {
        match decision {
            MatchDecision::Known {
                person_id,
                similarity,
            } => Vote::Person {
                person_id,
                similarity,
            },
            MatchDecision::Unknown { best } => Vote::Unknown {
                best_similarity: best.map(|c| c.similarity),
            },
        }
    }
}

/// What the votes agree on so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Undecided,
    Known {
        person_id: PersonId,
        similarity: f32,
    },
    Unknown,
}

/// The last few votes of one track.
#[derive(Debug, Clone)]
pub struct VoteBox {
    votes: VecDeque<Vote>,
    needed: usize,
    window: usize,
}

impl VoteBox {
    /// A verdict needs `needed` agreeing votes among the last `2 * needed - 1` (or one sure
    /// vote, see [`VoteBox::verdict`]).
    pub fn new(needed: usize) -> Self {
        let needed = needed.max(1);
        Self {
            votes: VecDeque::new(),
            needed,
            window: 2 * needed - 1,
        }
    }

    pub fn push(&mut self, vote: Vote) {
        self.votes.push_back(vote);
        while self.votes.len() > self.window {
            self.votes.pop_front();
        }
    }

    pub fn clear(&mut self) {
        self.votes.clear();
    }

    /// Fewer votes than a verdict needs: the face is being decided (again).
    pub fn is_collecting(&self) -> bool {
        self.votes.len() < self.needed
    }

    /// The best similarity of the latest vote, for the debug overlay.
    pub fn latest_similarity(&self) -> Option<f32> {
        match self.votes.back()? {
            Vote::Person { similarity, .. } => Some(*similarity),
            Vote::Unknown { best_similarity } => *best_similarity,
        }
    }

    /// A majority of the window, at least `needed` votes, for one person or for "unknown"; or a
    /// person every vote so far is for, one of them at `sure_similarity` or above.
    pub fn verdict(&self, sure_similarity: f32) -> Verdict {
        let unknown = self
            .votes
            .iter()
            .filter(|v| matches!(v, Vote::Unknown { .. }))
            .count();
        if unknown >= self.needed {
            return Verdict::Unknown;
        }
        let mut best: Option<(PersonId, usize, f32)> = None;
        for vote in &self.votes {
            if let Vote::Person { person_id, .. } = vote {
                let (count, top) = self.votes.iter().fold((0, 0f32), |(n, top), v| match v {
                    Vote::Person {
                        person_id: p,
                        similarity,
                    } if p == person_id => (n + 1, top.max(*similarity)),
                    _ => (n, top),
                });
                if best.is_none_or(|(_, n, _)| count > n) {
                    best = Some((*person_id, count, top));
                }
            }
        }
        match best {
            Some((person_id, count, similarity))
                if count >= self.needed
                    || (count == self.votes.len() && similarity >= sure_similarity) =>
            {
                Verdict::Known {
                    person_id,
                    similarity,
                }
            }
            _ => Verdict::Undecided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada(similarity: f32) -> Vote {
        Vote::Person {
            person_id: 1,
            similarity,
        }
    }
    const STRANGER: Vote = Vote::Unknown {
        best_similarity: Some(0.2),
    };
    /// At the default threshold, 0.45.
    const SURE: f32 = 0.45 + SURE_ABOVE_THRESHOLD;

    #[test]
    fn a_first_look_this_clear_names_the_visitor_at_once() {
        let mut votes = VoteBox::new(3);
        votes.push(ada(0.7));
        assert_eq!(
            votes.verdict(SURE),
            Verdict::Known {
                person_id: 1,
                similarity: 0.7
            }
        );
    }

    #[test]
    fn a_clear_look_does_not_overrule_one_that_disagrees() {
        let mut votes = VoteBox::new(3);
        votes.push(STRANGER);
        votes.push(ada(0.7));
        assert_eq!(votes.verdict(SURE), Verdict::Undecided);
    }

    #[test]
    fn one_lucky_frame_does_not_name_a_stranger() {
        let mut votes = VoteBox::new(3);
        votes.push(ada(0.5));
        assert_eq!(votes.verdict(SURE), Verdict::Undecided);
        votes.push(STRANGER);
        votes.push(STRANGER);
        assert_eq!(votes.verdict(SURE), Verdict::Undecided);
        votes.push(STRANGER);
        assert_eq!(votes.verdict(SURE), Verdict::Unknown);
    }

    #[test]
    fn three_agreeing_votes_name_the_person_with_their_best_similarity() {
        let mut votes = VoteBox::new(3);
        for s in [0.6, 0.7, 0.65] {
            votes.push(ada(s));
        }
        assert_eq!(
            votes.verdict(SURE),
            Verdict::Known {
                person_id: 1,
                similarity: 0.7
            }
        );
        // One odd frame does not flip the name.
        votes.push(STRANGER);
        assert!(matches!(
            votes.verdict(SURE),
            Verdict::Known { person_id: 1, .. }
        ));
    }

    #[test]
    fn old_votes_leave_the_window() {
        let mut votes = VoteBox::new(2);
        votes.push(ada(0.6));
        votes.push(ada(0.6));
        assert!(matches!(votes.verdict(SURE), Verdict::Known { .. }));
        votes.push(STRANGER);
        votes.push(STRANGER);
        assert_eq!(votes.verdict(SURE), Verdict::Unknown);
    }
}
