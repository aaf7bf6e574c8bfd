-- rfm_score: min(5, 1 + floor(5 × (rank − 1) / (n − 1))), and 5 when n = 1, exactly.
-- One row per failing case.
with

cases as (
    select cases.* from (
        values
        ('n=1: the only customer scores 5', 1, 1, 5),
        ('n=2: rank 1 scores 1', 1, 2, 1),
        ('n=2: rank 2 scores min(5, 6) = 5', 2, 2, 5),
        ('n=5: rank 1 scores 1', 1, 5, 1),
        ('n=5: rank 2 scores 1 + floor(5/4) = 2', 2, 5, 2),
        ('n=5: rank 3 scores 1 + floor(10/4) = 3', 3, 5, 3),
        ('n=5: rank 4 scores 1 + floor(15/4) = 4', 4, 5, 4),
        ('n=5: rank 5 scores min(5, 6) = 5', 5, 5, 5),
        ('n=10: rank 2 scores 1 + floor(5/9) = 1', 2, 10, 1),
        ('n=10: rank 3 scores 1 + floor(10/9) = 2', 3, 10, 2),
        ('n=10: rank 9 scores 1 + floor(40/9) = 5', 9, 10, 5),
        ('n=10: rank 10 scores min(5, 6) = 5', 10, 10, 5),
        ('n=11: rank 8 scores 1 + floor(35/10) = 4', 8, 11, 4),
        ('n=11: rank 9 scores 1 + floor(40/10) = 5', 9, 11, 5),
        ('n=1000001: rank 200000 scores 1 (just below 1/5)', 200000, 1000001, 1),
        ('n=1000001: rank 200001 scores 2 (exactly 1/5)', 200001, 1000001, 2),
        ('n=1000001: rank 800001 scores 5 (exactly 4/5)', 800001, 1000001, 5),
        ('n=1000001: rank 800000 scores 4 (just below 4/5)', 800000, 1000001, 4)
    ) as cases (case_name, rank_value, population_size, expected_score)
),

scored as (
    select
        case_name,
        expected_score,
        {{ personas.rfm_score('rank_value', 'population_size') }} as actual_score
    from cases
),

-- Ranks spread over a population with ties: rank() gives 1, 1, 3, 4, 4, 4 (n = 6) and equal
-- values get equal scores.
population as (
    select population.* from (
        values
        ('a', 10, 1),
        ('b', 10, 1),
        ('c', 20, 3),
        ('d', 30, 4),
        ('e', 30, 4),
        ('f', 30, 4)
    ) as population (customer_id, metric_value, expected_score)
),

ranked as (
    select
        customer_id,
        expected_score,
        rank() over (order by metric_value) as metric_rank,
        count(*) over () as population_size
    from population
),

population_scored as (
    select
        {{ dbt.concat(["'tied population: customer '", 'customer_id']) }} as case_name,
        expected_score,
        {{ personas.rfm_score('metric_rank', 'population_size') }} as actual_score
    from ranked
),

final as (
    select * from scored
    where not coalesce(actual_score = expected_score, false)
    union all
    select * from population_scored
    where not coalesce(actual_score = expected_score, false)
)

select * from final
